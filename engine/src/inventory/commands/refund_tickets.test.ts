import { describe, expect, it } from 'vitest';
import { InventoryActor } from '../actor.ts';
import type { EventConfig, Outcome } from '../types.ts';

const config: EventConfig = {
  eventId: '5a1f0c3e-8d2b-4b7a-9e6f-1c2d3e4f5a6b', shard: 0, currency: 'EUR', perBuyerLimit: 4, holdTtlMs: 60_000,
  saleStartsAt: null, saleEndsAt: null, types: [{ typeId: 'ga', price: 1_000, capacity: 4 }],
};
const eventId = config.eventId;

function sold(actor: InventoryActor, buyer: string, qty: number, now: number): string {
  const held = actor.handle({ kind: 'placeHold', eventId, typeId: 'ga', qty, buyer, key: null }, now).outcome as Extract<Outcome, { kind: 'held' }>;
  expect(actor.handle({ kind: 'confirmHold', eventId, holdId: held.hold.holdId }, now).outcome.ok).toBe(true);
  return held.hold.holdId;
}

describe('refundTickets', () => {
  it('puts the tickets back on sale and lowers the buyer\'s count, once per hold', () => {
    const actor = InventoryActor.create(config, { deepChecks: true });
    const holdId = sold(actor, 'ann', 4, 1_000);
    expect(actor.handle({ kind: 'placeHold', eventId, typeId: 'ga', qty: 1, buyer: 'bob', key: null }, 1_000).outcome).toMatchObject({ ok: false, reason: 'sold_out' });
    const first = actor.handle({ kind: 'refundTickets', eventId, holdId, typeId: 'ga', qty: 4, buyer: 'ann' }, 2_000);
    expect(first.outcome).toEqual({ ok: true, kind: 'refunded', holdId, qty: 4, again: false });
    expect(first.entries.map((e) => e.body.kind)).toEqual(['tickets_refunded']);
    const again = actor.handle({ kind: 'refundTickets', eventId, holdId, typeId: 'ga', qty: 4, buyer: 'ann' }, 3_000);
    expect(again).toEqual({ outcome: { ok: true, kind: 'refunded', holdId, qty: 4, again: true }, entries: [] });
    expect(actor.availability()[0]).toMatchObject({ sold: 0, available: 4 });
    expect(actor.inventory.perBuyer.has('ann')).toBe(false);
    // Ann may buy her limit again.
    sold(actor, 'ann', 4, 4_000);
  });

  it('refuses an open hold, an unknown type, and more tickets than were sold', () => {
    const actor = InventoryActor.create(config, { deepChecks: true });
    const open = actor.handle({ kind: 'placeHold', eventId, typeId: 'ga', qty: 1, buyer: 'ann', key: null }, 1_000).outcome as Extract<Outcome, { kind: 'held' }>;
    expect(actor.handle({ kind: 'refundTickets', eventId, holdId: open.hold.holdId, typeId: 'ga', qty: 1, buyer: 'ann' }, 1_000).outcome).toMatchObject({ ok: false, reason: 'hold_not_found' });
    const holdId = sold(actor, 'bob', 2, 1_000);
    expect(actor.handle({ kind: 'refundTickets', eventId, holdId, typeId: 'vip', qty: 2, buyer: 'bob' }, 1_000).outcome).toMatchObject({ ok: false, reason: 'unknown_ticket_type' });
    expect(actor.handle({ kind: 'refundTickets', eventId, holdId, typeId: 'ga', qty: 3, buyer: 'bob' }, 1_000).outcome).toMatchObject({ ok: false, reason: 'hold_not_found' });
    // Ann's count is her open hold only: she has no bought tickets to give back.
    expect(actor.handle({ kind: 'refundTickets', eventId, holdId, typeId: 'ga', qty: 1, buyer: 'ann' }, 1_000).outcome).toMatchObject({ ok: false, reason: 'hold_not_found' });
  });

  it('survives a snapshot: a refund after restore is answered as a repeat', () => {
    const actor = InventoryActor.create(config, { deepChecks: true });
    const holdId = sold(actor, 'ann', 2, 1_000);
    actor.handle({ kind: 'refundTickets', eventId, holdId, typeId: 'ga', qty: 2, buyer: 'ann' }, 2_000);
    const restored = InventoryActor.restore(config, structuredClone(actor.snapshot()), [], { deepChecks: true });
    expect(restored.handle({ kind: 'refundTickets', eventId, holdId, typeId: 'ga', qty: 2, buyer: 'ann' }, 3_000).outcome).toMatchObject({ again: true });
    expect(restored.availability()).toEqual(actor.availability());
  });
});
