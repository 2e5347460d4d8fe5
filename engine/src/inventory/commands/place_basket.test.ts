import { describe, expect, it } from 'vitest';
import { InventoryActor } from '../actor.ts';
import type { BasketItem, EventConfig, PlaceBasket } from '../types.ts';

const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const config: EventConfig = {
  eventId,
  shard: 3,
  currency: 'EUR',
  perBuyerLimit: 5,
  holdTtlMs: 60_000,
  saleStartsAt: null,
  saleEndsAt: null,
  types: [
    { typeId: 'floor', price: 5_000, capacity: 10 },
    { typeId: 'balcony', price: 3_000, capacity: 2 },
    { typeId: 'old', price: 1_000, capacity: 5, retired: true },
  ],
};

function basket(items: BasketItem[], buyer = 'ann', key: string | null = null): PlaceBasket {
  return { kind: 'placeBasket', eventId, items, buyer, key };
}

function actor() {
  let n = 0;
  return InventoryActor.create(config, { deepChecks: true, newId: () => `hold-${++n}` });
}

describe('placeBasket', () => {
  it('holds every item, one hold per type, each at its own price, tied by the first hold id', () => {
    const a = actor();
    const { outcome, entries } = a.handle(basket([{ typeId: 'floor', qty: 2 }, { typeId: 'balcony', qty: 1 }]), 5_000);
    expect(outcome).toMatchObject({ ok: true, kind: 'basketHeld', holds: [
      { holdId: 'hold-1', typeId: 'floor', qty: 2, price: 5_000, status: 'held', expiresAt: 65_000 },
      { holdId: 'hold-2', typeId: 'balcony', qty: 1, price: 3_000, status: 'held', expiresAt: 65_000 },
    ] });
    expect(entries.map((e) => e.body.kind === 'hold_placed' && e.body.hold.basket)).toEqual(['hold-1', 'hold-1']);
    expect(a.availability().map((t) => [t.typeId, t.held])).toEqual([['floor', 2], ['balcony', 1], ['old', 0]]);
  });

  it('holds nothing when one item cannot be held', () => {
    const a = actor();
    const { outcome, entries } = a.handle(basket([{ typeId: 'floor', qty: 2 }, { typeId: 'balcony', qty: 3 }]), 5_000);
    expect(outcome).toEqual({ ok: false, reason: 'sold_out' });
    expect(entries).toEqual([]);
    expect(a.inventory.holds.size).toBe(0);
    expect(a.handle(basket([{ typeId: 'floor', qty: 1 }, { typeId: 'old', qty: 1 }]), 5_000).outcome).toEqual({ ok: false, reason: 'unknown_ticket_type' });
    expect(a.inventory.holds.size).toBe(0);
  });

  it('counts the whole basket against the per-buyer limit', () => {
    const a = actor();
    a.handle({ kind: 'placeHold', eventId, typeId: 'floor', qty: 2, buyer: 'ann', key: null }, 5_000);
    expect(a.handle(basket([{ typeId: 'floor', qty: 2 }, { typeId: 'balcony', qty: 2 }]), 5_000).outcome).toEqual({ ok: false, reason: 'limit_reached', remaining: 3 });
    expect(a.handle(basket([{ typeId: 'floor', qty: 2 }, { typeId: 'balcony', qty: 1 }]), 5_000).outcome).toMatchObject({ ok: true, kind: 'basketHeld' });
    expect(a.inventory.perBuyer.get('ann')).toBe(5);
  });

  it('counts the whole basket against the address cap', () => {
    const a = actor();
    const capped = { ...basket([{ typeId: 'floor', qty: 2 }, { typeId: 'balcony', qty: 1 }]), address: '10.0.0.1', addressMax: 2 };
    expect(a.handle(capped, 5_000).outcome).toEqual({ ok: false, reason: 'address_limit_reached' });
    expect(a.handle({ ...capped, addressMax: 3 }, 5_000).outcome).toMatchObject({ ok: true });
    expect(a.inventory.perAddress.get('10.0.0.1')).toBe(3);
  });

  it('answers a retry under the same key with the same basket, and refuses the key for other items', () => {
    const a = actor();
    const cmd = basket([{ typeId: 'floor', qty: 1 }, { typeId: 'balcony', qty: 1 }], 'ann', 'k1');
    const first = a.handle(cmd, 5_000);
    const again = a.handle(cmd, 6_000);
    expect(again.entries).toEqual([]);
    expect(again.outcome).toEqual(first.outcome);
    expect(a.handle(basket([{ typeId: 'floor', qty: 2 }], 'ann', 'k1'), 6_000).outcome).toMatchObject({ ok: false, reason: 'idempotency_key_reused' });
    expect(a.handle({ kind: 'placeHold', eventId, typeId: 'floor', qty: 1, buyer: 'ann', key: 'k1' }, 6_000).outcome).toMatchObject({ ok: false, reason: 'idempotency_key_reused' });
    // Another buyer's key is another key.
    expect(a.handle(basket([{ typeId: 'floor', qty: 1 }], 'bob', 'k1'), 6_000).outcome).toMatchObject({ ok: true, kind: 'basketHeld' });
  });

  it('answers a retry after one of its holds closed with each hold as it stands', () => {
    const a = actor();
    const cmd = basket([{ typeId: 'floor', qty: 1 }, { typeId: 'balcony', qty: 1 }], 'ann', 'k1');
    a.handle(cmd, 5_000);
    a.handle({ kind: 'confirmHold', eventId, holdId: 'hold-2' }, 6_000);
    expect(a.handle(cmd, 7_000).outcome).toMatchObject({ ok: true, holds: [{ holdId: 'hold-1', status: 'held' }, { holdId: 'hold-2', status: 'confirmed' }] });
  });

  it('answers a retry after a restore from the journal with the same basket', () => {
    const a = actor();
    const cmd = basket([{ typeId: 'floor', qty: 1 }, { typeId: 'balcony', qty: 2 }], 'ann', 'k1');
    const { outcome, entries } = a.handle(cmd, 5_000);
    const restored = InventoryActor.restore(config, null, entries, { deepChecks: true });
    const again = restored.handle(cmd, 6_000);
    expect(again.entries).toEqual([]);
    expect(again.outcome).toEqual(outcome);
    const fromSnapshot = InventoryActor.restore(config, structuredClone(a.snapshot()), [], { deepChecks: true });
    expect(fromSnapshot.handle(cmd, 6_000).outcome).toEqual(outcome);
  });

  it('refuses a sale not open yet before looking at stock', () => {
    const a = InventoryActor.create({ ...config, saleStartsAt: 10_000 });
    expect(a.handle(basket([{ typeId: 'floor', qty: 1 }]), 5_000).outcome).toEqual({ ok: false, reason: 'sale_not_started' });
  });

  it('refuses a cancelled event', () => {
    const a = InventoryActor.create({ ...config, cancelled: true });
    expect(a.handle(basket([{ typeId: 'floor', qty: 1 }]), 5_000).outcome).toEqual({ ok: false, reason: 'event_cancelled' });
  });

  it('says how many the buyer may still take when the limit is already reached', () => {
    const a = actor();
    a.handle(basket([{ typeId: 'floor', qty: 4 }, { typeId: 'balcony', qty: 1 }]), 5_000);
    expect(a.handle(basket([{ typeId: 'floor', qty: 1 }]), 5_000).outcome).toEqual({ ok: false, reason: 'limit_reached', remaining: 0 });
  });
});
