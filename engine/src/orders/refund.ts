import type { Db } from '../db/pool.ts';
import { EngineVerbs } from '../engine_verbs.ts';
import type { JobData, JobHandler, Jobs } from '../jobs/queues.ts';
import { RefundByHand } from '../payments/provider.ts';
import { ticketsUrl } from '../mail/links.ts';
import { notifyBuyer } from '../sms/notify.ts';
import { providersFor } from '../payments/providers.ts';
import { countUsedTicketsOfOrder, revokeOrderTickets } from '../tickets/revoke.ts';
import { OrderError, orderNotFound } from './errors.ts';
import { requireManualRefund } from './manual_refund.ts';
import { countTicketsOfHold, moveOrder, selectOrder, selectOrderContext, selectOrderLines, type OrderContext, type OrderRow } from './orders_db.ts';
import { markPaymentRefunded, selectPaymentOfOrder } from './payments_db.ts';
import { isSold } from './states.ts';
import { inTransaction } from '../db/transaction.ts';

const dayMs = 24 * 60 * 60_000;

/**
 * May the buyer ask for a refund at `now`? The organizer always may. Policies:
 * none (only the organizer refunds), until N days before the event starts,
 * always (until the event has started: a ticket used at the door is not refunded).
 */
export function buyerMayRefund(ctx: Pick<OrderContext, 'refundPolicy' | 'refundUntilDays' | 'startsAt'>, now: number): boolean {
  const starts = ctx.startsAt.getTime();
  switch (ctx.refundPolicy) {
    case 'none':
      return false;
    case 'always':
      return now < starts;
    case 'until':
      return now < starts - (ctx.refundUntilDays ?? 0) * dayMs;
  }
}

/**
 * A refund asked for through the API. Checks who asks, the event's policy and
 * the door, then enqueues `refund` keyed by the order: asking twice refunds once.
 * Someone who is neither the buyer nor the event's organizer gets "no such order".
 *
 * A ticket used at the door is not refunded: its seat was taken, and putting it
 * back on sale would sell it twice (409 `ticket_used`). The event's organizer
 * may refund such an order anyway with `refundUsedTickets`; the money goes back,
 * the tickets are revoked, and the seats stay sold.
 */
export async function requestRefund(
  deps: { db: Db; jobs: Jobs; now: () => number }, orderId: string, caller: { id: string }, opts: { refundUsedTickets?: boolean } = {},
): Promise<{ order: OrderRow; reason: 'organizer' | 'buyer' }> {
  const order = await selectOrder(deps.db, orderId);
  const ctx = order === null ? null : await selectOrderContext(deps.db, orderId);
  if (order === null || ctx === null) throw orderNotFound();
  const reason = ctx.organizerId === caller.id ? 'organizer' : order.buyerId === caller.id ? 'buyer' : null;
  if (reason === null) throw orderNotFound();
  const override = opts.refundUsedTickets === true;
  if (override && reason !== 'organizer') throw new OrderError(403, 'override_not_allowed', 'Only the event\'s organizer may refund used tickets; remove refundUsedTickets.');
  if (order.status === 'refunded') return { order, reason };
  if (!isSold(order.status)) throw new OrderError(409, 'not_refundable', `This order is ${order.status}: only a paid order can be refunded.`);
  if (reason === 'buyer' && !buyerMayRefund(ctx, deps.now())) {
    const why = ctx.refundPolicy === 'none'
      ? 'The organizer of this event does not offer refunds; contact them.'
      : ctx.refundPolicy === 'until'
        ? `Refunds for this event close ${ctx.refundUntilDays} days before it starts; that time has passed.`
        : 'The event has started; refunds are closed.';
    throw new OrderError(403, 'refund_not_allowed', why);
  }
  const used = await countUsedTicketsOfOrder(deps.db, orderId);
  if (used > 0 && !override) {
    const hint = reason === 'organizer' ? ' To refund it anyway (the seats stay sold), send { "refundUsedTickets": true }.' : ' Contact the organizer.';
    throw new OrderError(409, 'ticket_used', `${used} ticket(s) of this order were already used at the door, so it cannot be refunded.${hint}`);
  }
  // An override gets its own job key: a buyer's refund that stopped at a used ticket may still sit in the job table under the order's.
  await deps.jobs.send('refund', { orderId, reason, ...(override ? { refundUsedTickets: true } : {}) }, { key: override ? `${orderId}:used` : orderId });
  return { order, reason };
}

/**
 * `refund`: money back through the provider (or, when its API cannot, a
 * manual refund an operator makes and records: orders/manual_refund.ts), tickets revoked, order refunded,
 * buyer told, stock back to the actor. Idempotent per order: the provider
 * call carries a key derived from the order, the order moves once, the email
 * is keyed by the order and the actor refunds a hold once.
 *
 * The order of the steps is the order of what matters: the money first (a
 * retry finishes the rest), then the tickets stop admitting with the order
 * refunded in one transaction, and the stock comes back last. A stock release
 * the actor refuses (it would be a bug) is logged and leaves seats unsold,
 * never sold twice; a retry of the job repeats only that step.
 *
 * A ticket checked in since the refund was asked: before the money, the job
 * stops (no override) and the order stays as it is. A check-in that lands
 * after that look is caught inside the transaction that revokes the tickets;
 * the money is gone by then, so the order is refunded, but its seats are never
 * put back on sale: someone sat in one.
 */
export const refundJob: JobHandler<'refund'> = async (deps, { orderId, reason, refundUsedTickets }) => {
  const order = await selectOrder(deps.db, orderId);
  if (order === null) throw new Error('no such order');
  if (!isSold(order.status) && order.status !== 'refunded') {
    deps.log('warn', `refund: order ${orderId} is ${order.status}; nothing was paid, nothing to refund`);
    return;
  }
  const payment = await selectPaymentOfOrder(deps.db, orderId);
  if (payment === null || payment.providerRef === null) throw new Error('paid order without a payment session');
  if (payment.status === 'succeeded') {
    if (refundUsedTickets !== true && (await countUsedTicketsOfOrder(deps.db, orderId)) > 0) {
      deps.log('warn', `refund: a ticket of order ${orderId} was used at the door after the refund was asked; not refunded (the organizer may override)`);
      return;
    }
    const provider = providersFor(deps.config).get(order.provider);
    let refundRef: string;
    try {
      ({ refundRef } = await provider.refund({ providerRef: payment.providerRef, amount: payment.amount, currency: payment.currency, key: `refund-${orderId}` }));
    } catch (error) {
      if (!(error instanceof RefundByHand)) throw error;
      // A person refunds from the provider's dashboard; recording it queues this job again to finish (orders/manual_refund.ts).
      return requireManualRefund(deps, order, payment, { orderId, reason, ...(refundUsedTickets === true ? { refundUsedTickets } : {}) }, error.message);
    }
    await markPaymentRefunded(deps.db, payment.id, refundRef);
  } else if (payment.status !== 'refunded') {
    throw new Error(`payment ${payment.id} is ${payment.status}; cannot refund`);
  }

  const used = order.status === 'refunded' ? await countUsedTicketsOfOrder(deps.db, orderId) : await refundOrderInTx(deps, order, reason);
  if (used > 0) {
    deps.log('warn', `refund of order ${orderId}: ${used} of its tickets were used at the door; its seats stay sold${refundUsedTickets === true ? ' (organizer override)' : ''}`);
    return;
  }
  // Every line's seats go back (a basket has several); the actor refunds a hold once, so a retry repeats nothing.
  const engine = new EngineVerbs(deps.engine);
  for (const line of await selectOrderLines(deps.db, orderId)) {
    const holdId = line.ticketedHoldId;
    if (holdId === null || (await countTicketsOfHold(deps.db, holdId)) === 0) continue;
    const outcome = await engine.refundTickets({ eventId: order.eventId, holdId, typeId: line.typeId, qty: line.quantity, buyer: order.buyerId });
    if (outcome.ok) continue;
    if (outcome.reason === 'busy' || outcome.reason === 'shard_unavailable') throw new Error(`engine ${outcome.reason} for refundTickets; retrying`);
    deps.log('error', `refund of order ${orderId}: the actor refused to put hold ${holdId} back on sale (${outcome.reason}); its ${line.quantity} seats stay unsold`);
  }
};

/**
 * Tickets revoked, order refunded and the notice queued, in one transaction.
 * Answers how many of the order's tickets were used, counted after the
 * revocation inside the same transaction: a check-in that won the race is
 * counted, and none can follow (check-in only marks a valid ticket).
 */
async function refundOrderInTx(deps: Parameters<JobHandler<'refund'>>[0], order: OrderRow, reason: JobData['refund']['reason']): Promise<number> {
  const orderId = order.id;
  const ctx = await selectOrderContext(deps.db, orderId);
  if (ctx === null) throw new Error('order context vanished');
  // Whatever asked for the refund (a late payment, the organizer), the buyer of a cancelled event is told it was cancelled.
  const told = ctx.eventCancelled ? 'event_cancelled' : reason;
  return inTransaction(deps.db, async (tx) => {
    await revokeOrderTickets(tx, orderId, told === 'event_cancelled' ? 'event_cancelled' : 'refunded');
    const used = await countUsedTicketsOfOrder(tx, orderId);
    if (!(await moveOrder(tx, orderId, 'refunded'))) return used;
    await notifyBuyer(tx, deps, order.buyerId, {
      email: {
        to: ctx.buyerEmail, template: 'refund_notice', locale: order.locale, key: `refund_notice:${orderId}`,
        data: { name: ctx.buyerName, eventName: ctx.eventName, orderId, amount: order.amount, currency: order.currency, reason: told },
      },
      sms: {
        template: 'refund_notice', locale: order.locale, key: `refund_notice:${orderId}`,
        data: {
          eventName: ctx.eventName, amount: order.amount, currency: order.currency, ticketsUrl: ticketsUrl(deps.config.publicUrl, orderId),
          ...(told === 'event_cancelled' ? { cancelled: true } : {}),
        },
      },
    });
    return used;
  });
}
