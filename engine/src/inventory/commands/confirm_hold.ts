import { holdView, refusal, refused, type Handled } from '../apply.ts';
import { newTicketId, type Ids } from '../ids.ts';
import type { ConfirmHold, Inventory } from '../types.ts';

export type { ConfirmHold };

/**
 * Turns a hold into tickets once it is paid for. A hold past its expiry is not
 * confirmed even if the expiry timer has not fired yet: it is expired here, in
 * the same step, so the answer and the journal agree. A cancelled event's
 * holds are not confirmed either.
 */
export function confirmHold(state: Inventory, cmd: ConfirmHold, now: number, ids?: Ids): Handled {
  const hold = state.holds.get(cmd.holdId);
  if (hold === undefined) return refused('hold_not_found');
  // A cancelled event sells nothing more: the payment job refunds the money instead (orders/payment_confirmed_job.ts).
  if (state.config.cancelled === true) return refused('event_cancelled');
  if (hold.expiresAt <= now) {
    return { outcome: refusal('hold_expired'), entries: [{ kind: 'hold_released', holdId: hold.holdId, reason: 'expired' }] };
  }
  const ticketIds: string[] = [];
  for (let i = 0; i < hold.qty; i++) ticketIds.push(ids === undefined ? newTicketId() : ids.newTicketId());
  return {
    outcome: { ok: true, kind: 'confirmed', hold: holdView(state.config, hold, 'confirmed'), ticketIds },
    entries: [{ kind: 'hold_confirmed', holdId: hold.holdId, ticketIds }],
  };
}
