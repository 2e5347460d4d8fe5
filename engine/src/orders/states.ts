/**
 * An order's life. Every status change goes through `canMove` (and the UPDATE
 * that makes it repeats the allowed sources in its WHERE, so two jobs racing
 * cannot both move it):
 *
 *   pending  -> paid      the provider took the money and the job confirmed it
 *   pending  -> failed    the provider declined (simulated decline, Clictopay refusal)
 *   pending  -> expired   the hold lapsed and no payment came
 *   failed   -> paid      a payment succeeded after all (a retry with another card)
 *   expired  -> paid      a payment arrived after the hold lapsed (late payment)
 *   paid     -> ticketed  tickets-issue signed the tickets
 *   (pending, failed, expired -> ticketed at once: a payment-confirmed batch that issued in its own transaction)
 *   paid     -> refunded  refunded before issue, or a late payment found no stock
 *   ticketed -> refunded  refunded by the organizer or the buyer within policy
 *
 * `paid` means money in and tickets either confirmed (`ticketed_hold_id`) or
 * a refund queued: never a payment without tickets or a refund.
 */
export const orderStatuses = ['pending', 'paid', 'ticketed', 'refunded', 'failed', 'expired'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

const moves: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'failed', 'expired'],
  failed: ['paid'],
  expired: ['paid'],
  paid: ['ticketed', 'refunded'],
  ticketed: ['refunded'],
  refunded: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return moves[from].includes(to);
}

/** The statuses an order may be in to move to `to`: the WHERE of the UPDATE that moves it. */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return orderStatuses.filter((from) => canMove(from, to));
}

/** Money was taken and not given back. */
export function isSold(status: OrderStatus): boolean {
  return status === 'paid' || status === 'ticketed';
}
