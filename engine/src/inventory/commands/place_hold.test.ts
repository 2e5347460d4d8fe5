import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../assert.ts';
import { apply, emptyInventory } from '../apply.ts';
import type { EventConfig, Inventory, PlaceHold } from '../types.ts';
import { placeHold } from './place_hold.ts';

const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const config: EventConfig = {
  eventId,
  shard: 3,
  currency: 'EUR',
  perBuyerLimit: 4,
  holdTtlMs: 60_000,
  saleStartsAt: 1_000,
  saleEndsAt: 100_000,
  types: [
    { typeId: 'floor', price: 5_000, capacity: 10 },
    { typeId: 'balcony', price: 3_000, capacity: 2 },
  ],
};
let n = 0;
const ids = { newHoldId: () => `hold-${++n}`, newTicketId: () => `ticket-${++n}` };

function hold(typeId: string, qty: number, buyer = 'ann'): PlaceHold {
  return { kind: 'placeHold', eventId, typeId, qty, buyer, key: null };
}

/** Places and applies, as the actor would. */
function place(state: Inventory, cmd: PlaceHold, now = 2_000) {
  const handled = placeHold(state, cmd, now, ids);
  for (const body of handled.entries) apply(state, body);
  return handled;
}

describe('placeHold', () => {
  it('holds tickets at the type price until now + holdTtlMs', () => {
    const state = emptyInventory(config);
    const { outcome, entries } = place(state, hold('floor', 2), 5_000);
    expect(outcome).toMatchObject({ ok: true, kind: 'held', hold: { eventId, typeId: 'floor', qty: 2, buyer: 'ann', price: 5_000, currency: 'EUR', status: 'held', expiresAt: 65_000 } });
    expect(entries).toEqual([{ kind: 'hold_placed', hold: expect.objectContaining({ typeId: 'floor', qty: 2, placedAt: 5_000, expiresAt: 65_000, key: null }) }]);
    expect(state.types.get('floor')).toMatchObject({ held: 2, sold: 0 });
    expect(state.perBuyer.get('ann')).toBe(2);
  });

  it('does not change state itself: it only returns the entry', () => {
    const state = emptyInventory(config);
    placeHold(state, hold('floor', 2), 2_000, ids);
    expect(state.types.get('floor')!.held).toBe(0);
    expect(state.holds.size).toBe(0);
  });

  it('uses a hold id that names the event when no id source is given', () => {
    const state = emptyInventory(config);
    const { outcome } = placeHold(state, hold('floor', 1), 2_000);
    expect(outcome.ok && outcome.kind === 'held' && outcome.hold.holdId.startsWith(`${eventId}.`)).toBe(true);
  });

  it('refuses before the sale starts', () => {
    expect(place(emptyInventory(config), hold('floor', 1), 999)).toEqual({ outcome: { ok: false, reason: 'sale_not_started' }, entries: [] });
  });

  it('refuses from the moment the sale ends', () => {
    expect(place(emptyInventory(config), hold('floor', 1), 100_000).outcome).toEqual({ ok: false, reason: 'sale_ended' });
    expect(place(emptyInventory(config), hold('floor', 1), 99_999).outcome.ok).toBe(true);
  });

  it('sells at any time when the sale window is open-ended', () => {
    const state = emptyInventory({ ...config, saleStartsAt: null, saleEndsAt: null });
    expect(place(state, hold('floor', 1), 0).outcome.ok).toBe(true);
  });

  it('refuses a ticket type the event does not have', () => {
    expect(place(emptyInventory(config), hold('vip', 1)).outcome).toEqual({ ok: false, reason: 'unknown_ticket_type' });
  });

  it('refuses a hold larger than what remains', () => {
    const state = emptyInventory(config);
    place(state, hold('balcony', 1, 'ann'));
    expect(place(state, hold('balcony', 2, 'bob')).outcome).toEqual({ ok: false, reason: 'sold_out' });
    expect(place(state, hold('balcony', 1, 'bob')).outcome.ok).toBe(true);
    expect(place(state, hold('balcony', 1, 'cat')).outcome).toEqual({ ok: false, reason: 'sold_out' });
  });

  it('refuses a buyer going over the per-buyer limit, counting held and bought tickets', () => {
    const state = emptyInventory(config);
    place(state, hold('floor', 3));
    state.perBuyer.set('ann', 4); // as if one more had been bought
    expect(place(state, hold('balcony', 1)).outcome).toEqual({ ok: false, reason: 'limit_reached', remaining: 0 });
    expect(place(state, hold('balcony', 1, 'bob')).outcome.ok).toBe(true);
  });

  it('allows a buyer exactly up to the limit', () => {
    const state = emptyInventory(config);
    expect(place(state, hold('floor', 4)).outcome.ok).toBe(true);
    expect(place(state, hold('floor', 1)).outcome).toEqual({ ok: false, reason: 'limit_reached', remaining: 0 });
  });

  it('says how many tickets the buyer may still take when a hold goes over the limit (#15)', () => {
    const state = emptyInventory(config);
    expect(place(state, hold('floor', 1)).outcome.ok).toBe(true);
    expect(place(state, hold('floor', 4)).outcome).toEqual({ ok: false, reason: 'limit_reached', remaining: 3 });
    // The number is an offer that holds: taking exactly that many succeeds.
    expect(place(state, hold('floor', 3)).outcome.ok).toBe(true);
  });

  it('the remaining number is always the limit less what the buyer has, and taking it succeeds (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 6 }), (limit, asks) => {
      const state = emptyInventory({ ...config, perBuyerLimit: limit, types: [{ typeId: 'floor', price: 5_000, capacity: 1_000 }] });
      for (const qty of asks) {
        const taken = state.perBuyer.get('ann') ?? 0;
        const { outcome } = place(state, hold('floor', qty));
        if (outcome.ok) continue;
        expect(outcome).toEqual({ ok: false, reason: 'limit_reached', remaining: limit - taken });
        if (limit - taken > 0) expect(place(state, hold('floor', limit - taken)).outcome.ok).toBe(true);
        expect(state.perBuyer.get('ann') ?? 0).toBeLessThanOrEqual(limit);
      }
    }), { numRuns: 200 });
  });

  it('does not sell a type the config no longer lists, though it keeps its counts', () => {
    const state = emptyInventory(config);
    place(state, hold('balcony', 1));
    state.config = { ...config, types: [config.types[0]!] };
    expect(place(state, hold('balcony', 1, 'bob')).outcome).toEqual({ ok: false, reason: 'unknown_ticket_type' });
  });

  it('treats a quantity the edge should have refused as a bug', () => {
    const state = emptyInventory(config);
    for (const qty of [0, -1, 1.5, 51, Number.NaN]) expect(() => placeHold(state, hold('floor', qty), 2_000, ids)).toThrow(InvariantError);
  });

  it('refuses an address going over the drop\'s per-address cap, whichever buyers share it, and counts only held stock', () => {
    const state = emptyInventory(config);
    const from = (buyer: string, qty: number, address = '203.0.113.7'): PlaceHold => ({ ...hold('floor', qty, buyer), address, addressMax: 3 });
    const first = place(state, from('ann', 2));
    expect(first.entries).toEqual([{ kind: 'hold_placed', hold: expect.objectContaining({ address: '203.0.113.7' }) }]);
    expect(place(state, from('bob', 2)).outcome).toEqual({ ok: false, reason: 'address_limit_reached' });
    expect(place(state, from('bob', 1)).outcome.ok).toBe(true);
    expect(place(state, from('cat', 1)).outcome).toEqual({ ok: false, reason: 'address_limit_reached' });
    expect(place(state, from('cat', 1, '198.51.100.2')).outcome.ok).toBe(true);
    // Released or expired holds free the address; sold ones too (the cap is on stock held at once).
    const annHold = first.outcome.ok && first.outcome.kind === 'held' ? first.outcome.hold.holdId : '';
    apply(state, { kind: 'hold_released', holdId: annHold, reason: 'expired' });
    expect(state.perAddress.get('203.0.113.7')).toBe(1);
    expect(place(state, from('dan', 2)).outcome.ok).toBe(true);
  });

  it('neither counts nor refuses by address when the drop has no cap', () => {
    const state = emptyInventory(config);
    const { entries } = place(state, { ...hold('floor', 4), address: '203.0.113.7' });
    expect(entries[0]!.kind === 'hold_placed' && 'address' in entries[0]!.hold).toBe(false);
    expect(state.perAddress.size).toBe(0);
  });
});
