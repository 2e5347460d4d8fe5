import { assert } from '../../assert.ts';
import { holdQuantityMax, ticketTypesPerEventMax } from '../../constants.ts';
import { holdView, refused, type Handled } from '../apply.ts';
import { newHoldId, type Ids } from '../ids.ts';
import type { Hold, HoldView, Inventory, JournalBody, PlaceBasket } from '../types.ts';
import { isOnSale, limitReached, saleRefusal } from './place_hold.ts';

export type { PlaceBasket };

/**
 * Holds several ticket types of one event at once: one hold per item, all of
 * them or none. Every item is checked against the state before anything is
 * written, and the holds are journaled together by one command, so they reach
 * Postgres in one flush (one transaction): no turn of the actor, no crash and
 * no recovery can see part of a basket. The per-buyer limit and the address
 * cap count the basket's total.
 *
 * Each hold records the basket's id (its first hold's id); the first hold
 * alone carries the idempotency key, and the actor answers a retry with the
 * whole basket.
 */
export function placeBasket(state: Inventory, cmd: PlaceBasket, now: number, ids?: Ids): Handled {
  // The edge refuses empty, oversized or repeating baskets with a message; one reaching here is a bug.
  assert(cmd.items.length >= 1 && cmd.items.length <= ticketTypesPerEventMax, 'basket size out of range');
  const config = state.config;
  const closed = saleRefusal(state, now);
  if (closed !== null) return closed;
  let total = 0;
  const seen = new Set<string>();
  for (const item of cmd.items) {
    assert(Number.isInteger(item.qty) && item.qty >= 1 && item.qty <= holdQuantityMax, 'hold quantity out of range');
    assert(!seen.has(item.typeId), 'a basket lists a ticket type twice');
    seen.add(item.typeId);
    const type = state.types.get(item.typeId);
    if (type === undefined || !isOnSale(state, item.typeId)) return refused('unknown_ticket_type');
    if (item.qty > type.capacity - type.sold - type.held) return refused('sold_out');
    total += item.qty;
  }
  const taken = state.perBuyer.get(cmd.buyer) ?? 0;
  if (taken + total > config.perBuyerLimit) return limitReached(config.perBuyerLimit, taken);
  const address = cmd.addressMax === undefined ? undefined : cmd.address;
  if (address !== undefined && (state.perAddress.get(address) ?? 0) + total > cmd.addressMax!) return refused('address_limit_reached');

  const entries: JournalBody[] = [];
  const views: HoldView[] = [];
  let basket = '';
  for (const item of cmd.items) {
    const holdId = ids === undefined ? newHoldId(config.eventId) : ids.newHoldId();
    if (basket === '') basket = holdId;
    const hold: Hold = {
      holdId,
      typeId: item.typeId,
      qty: item.qty,
      buyer: cmd.buyer,
      price: state.types.get(item.typeId)!.price,
      placedAt: now,
      expiresAt: now + config.holdTtlMs,
      key: holdId === basket ? cmd.key : null,
      basket,
    };
    if (address !== undefined) hold.address = address;
    entries.push({ kind: 'hold_placed', hold });
    views.push(holdView(config, hold, 'held'));
  }
  return { outcome: { ok: true, kind: 'basketHeld', holds: views }, entries };
}
