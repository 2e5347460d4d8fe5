import { assert } from '../../assert.ts';
import { holdQuantityMax } from '../../constants.ts';
import { holdView, refused, type Handled } from '../apply.ts';
import { newHoldId, type Ids } from '../ids.ts';
import type { Hold, Inventory, PlaceHold } from '../types.ts';

export type { PlaceHold };

/**
 * Holds `qty` tickets of one type for a buyer until `now + holdTtlMs`, at the
 * type's current price. Idempotency keys are the actor's business: this
 * handler decides one attempt.
 */
export function placeHold(state: Inventory, cmd: PlaceHold, now: number, ids?: Ids): Handled {
  // The edge refuses bad quantities with a message; one reaching here is a bug.
  assert(Number.isInteger(cmd.qty) && cmd.qty >= 1 && cmd.qty <= holdQuantityMax, 'hold quantity out of range');
  const config = state.config;
  const closed = saleRefusal(state, now);
  if (closed !== null) return closed;
  const type = state.types.get(cmd.typeId);
  if (type === undefined || !isOnSale(state, cmd.typeId)) return refused('unknown_ticket_type');
  if (cmd.qty > type.capacity - type.sold - type.held) return refused('sold_out');
  const taken = state.perBuyer.get(cmd.buyer) ?? 0;
  if (taken + cmd.qty > config.perBuyerLimit) return limitReached(config.perBuyerLimit, taken);
  const address = cmd.addressMax === undefined ? undefined : cmd.address;
  if (address !== undefined && (state.perAddress.get(address) ?? 0) + cmd.qty > cmd.addressMax!) return refused('address_limit_reached');

  const hold: Hold = {
    holdId: ids === undefined ? newHoldId(config.eventId) : ids.newHoldId(),
    typeId: cmd.typeId,
    qty: cmd.qty,
    buyer: cmd.buyer,
    price: type.price,
    placedAt: now,
    expiresAt: now + config.holdTtlMs,
    key: cmd.key,
  };
  if (address !== undefined) hold.address = address;
  return { outcome: { ok: true, kind: 'held', hold: holdView(config, hold, 'held') }, entries: [{ kind: 'hold_placed', hold }] };
}

/** Why nothing of this event can be held at `now`, or null while it is on sale. */
export function saleRefusal(state: Inventory, now: number): Handled | null {
  const config = state.config;
  if (config.draft === true) return refused('event_not_found');
  if (config.cancelled === true) return refused('event_cancelled');
  if (config.saleStartsAt !== null && now < config.saleStartsAt) return refused('sale_not_started');
  if (config.saleEndsAt !== null && now >= config.saleEndsAt) return refused('sale_ended');
  return null;
}

/** The per-buyer limit's refusal; it says how many the buyer may still take, so the storefront can offer that (#15). */
export function limitReached(limit: number, taken: number): Handled {
  return { outcome: { ok: false, reason: 'limit_reached', remaining: Math.max(0, limit - taken) }, entries: [] };
}

/**
 * A type dropped from the config stays in state while it has tickets, for the
 * counts, but is no longer sold; so is a type listed as retired. Types are few
 * (at most 50), and the common case (the type is listed) returns early.
 */
export function isOnSale(state: Inventory, typeId: string): boolean {
  const types = state.config.types;
  for (let i = 0; i < types.length; i++) if (types[i]!.typeId === typeId) return types[i]!.retired !== true;
  return false;
}
