import { refused, type Handled } from '../apply.ts';
import type { Inventory, RefundTickets } from '../types.ts';

export type { RefundTickets };

/**
 * Puts the tickets of a refunded order back on sale: `sold -= qty` and the
 * buyer's count goes down, so they may buy again. The actor does not keep
 * confirmed holds, so the command carries what Postgres knows of the hold
 * (type, quantity, buyer); the actor checks it fits its counts.
 *
 * Idempotent per hold: the refund job may run again after a crash, and a
 * second release would sell the same seats twice. A hold refunded before is
 * answered again with `again: true` and writes nothing.
 */
export function refundTickets(state: Inventory, cmd: RefundTickets, _now: number): Handled {
  if (state.refunded.has(cmd.holdId)) {
    return { outcome: { ok: true, kind: 'refunded', holdId: cmd.holdId, qty: cmd.qty, again: true }, entries: [] };
  }
  // An open hold has no tickets to refund; it is released instead.
  if (state.holds.has(cmd.holdId)) return refused('hold_not_found');
  const type = state.types.get(cmd.typeId);
  if (type === undefined) return refused('unknown_ticket_type');
  if (!Number.isSafeInteger(cmd.qty) || cmd.qty < 1 || type.sold < cmd.qty) return refused('hold_not_found');
  let heldByBuyer = 0;
  for (const hold of state.holds.values()) if (hold.buyer === cmd.buyer) heldByBuyer += hold.qty;
  // Refunds are rare: this O(holds) count keeps the per-buyer invariant honest.
  if ((state.perBuyer.get(cmd.buyer) ?? 0) - heldByBuyer < cmd.qty) return refused('hold_not_found');
  return {
    outcome: { ok: true, kind: 'refunded', holdId: cmd.holdId, qty: cmd.qty, again: false },
    entries: [{ kind: 'tickets_refunded', holdId: cmd.holdId, typeId: cmd.typeId, qty: cmd.qty, buyer: cmd.buyer }],
  };
}
