import { describe, expect, it } from 'vitest';
import { InvariantError } from '../assert.ts';
import { InventoryActor, type ActorOptions } from './actor.ts';
import { restore } from './apply.ts';
import { truthOf } from '../queue/host.ts';
import { eventIdOfHold, newHoldId } from './ids.ts';
import { ClosedHolds, Recent } from './recent.ts';
import type { Command, EventConfig, HoldView, JournalEntry, Outcome, PlaceHold } from './types.ts';

const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const config: EventConfig = {
  eventId,
  shard: 0,
  currency: 'EUR',
  perBuyerLimit: 6,
  holdTtlMs: 60_000,
  saleStartsAt: null,
  saleEndsAt: null,
  types: [
    { typeId: 'floor', price: 5_000, capacity: 10 },
    { typeId: 'balcony', price: 3_000, capacity: 2 },
  ],
};

function counterIds(): ActorOptions {
  let n = 0;
  return { newId: () => `${eventId}.hold${String(++n).padStart(8, '0')}`, newTicketId: () => `ticket-${++n}`, deepChecks: true };
}

function place(typeId: string, qty: number, buyer: string, key: string | null = null): PlaceHold {
  return { kind: 'placeHold', eventId, typeId, qty, buyer, key };
}

function heldView(outcome: Outcome): HoldView {
  if (!outcome.ok || (outcome.kind !== 'held' && outcome.kind !== 'hold')) throw new Error(`expected a hold, got ${JSON.stringify(outcome)}`);
  return outcome.hold;
}

/** An actor that records every journal entry it writes, as the journal would. */
function recording(opts: ActorOptions = counterIds()) {
  const actor = InventoryActor.create(config, opts);
  const journal: JournalEntry[] = [];
  return {
    actor,
    journal,
    handle(cmd: Command, now: number): Outcome {
      const { outcome, entries } = actor.handle(cmd, now);
      journal.push(...entries);
      return outcome;
    },
    expire(now: number): JournalEntry[] {
      const entries = actor.expire(now);
      journal.push(...entries);
      return entries;
    },
  };
}

describe('InventoryActor: idempotency', () => {
  it('answers a retried key with the same hold and never places a second one', () => {
    const { actor, handle, journal } = recording();
    const first = heldView(handle(place('floor', 2, 'ann', 'k1'), 1_000));
    const again = heldView(handle(place('floor', 2, 'ann', 'k1'), 2_000));
    expect(again).toEqual(first);
    expect(journal.filter((e) => e.body.kind === 'hold_placed')).toHaveLength(1);
    expect(actor.availability().find((t) => t.typeId === 'floor')!.held).toBe(2);
  });

  it('refuses the same key with another ticket type or quantity', () => {
    const { handle } = recording();
    handle(place('floor', 2, 'ann', 'k1'), 1_000);
    expect(handle(place('floor', 3, 'ann', 'k1'), 1_000)).toMatchObject({ ok: false, reason: 'idempotency_key_reused' });
    expect(handle(place('balcony', 2, 'ann', 'k1'), 1_000)).toMatchObject({ ok: false, reason: 'idempotency_key_reused' });
  });

  it('scopes keys per buyer: two buyers may use the same key', () => {
    const { handle } = recording();
    const ann = heldView(handle(place('floor', 1, 'ann', 'k1'), 1_000));
    const bob = heldView(handle(place('floor', 1, 'bob', 'k1'), 1_000));
    expect(bob.holdId).not.toBe(ann.holdId);
    expect(bob.buyer).toBe('bob');
  });

  it('answers a retry after the hold closed with the same hold in its current status', () => {
    const { handle } = recording();
    const confirmed = heldView(handle(place('floor', 1, 'ann', 'k1'), 1_000));
    handle({ kind: 'confirmHold', eventId, holdId: confirmed.holdId }, 2_000);
    expect(handle(place('floor', 1, 'ann', 'k1'), 3_000)).toEqual({ ok: true, kind: 'held', hold: { ...confirmed, status: 'confirmed' } });

    const released = heldView(handle(place('floor', 1, 'ann', 'k2'), 1_000));
    handle({ kind: 'releaseHold', eventId, holdId: released.holdId, buyer: 'ann' }, 2_000);
    expect(heldView(handle(place('floor', 1, 'ann', 'k2'), 3_000))).toMatchObject({ holdId: released.holdId, status: 'released' });
  });

  it('remembers a refusal under its key and gives the same answer on retry', () => {
    const { handle } = recording();
    expect(handle(place('balcony', 3, 'ann', 'k1'), 1_000)).toEqual({ ok: false, reason: 'sold_out' });
    handle({ kind: 'changeCapacity', eventId, typeId: 'balcony', capacity: 5 }, 1_000);
    expect(handle(place('balcony', 3, 'ann', 'k1'), 1_000)).toEqual({ ok: false, reason: 'sold_out' });
    expect(handle(place('balcony', 3, 'ann', 'k2'), 1_000).ok).toBe(true);
  });

  it('forgets answers after idempotencyTtlMs, but never the key of an open hold', () => {
    const { actor, handle } = recording();
    handle(place('balcony', 3, 'ann', 'refused'), 1_000);
    const day = 24 * 60 * 60_000;
    expect(handle(place('balcony', 3, 'ann', 'refused'), 1_000 + day)).toEqual({ ok: false, reason: 'sold_out' });
    const longConfig = { ...config, holdTtlMs: 2 * day };
    actor.handle({ kind: 'reconfigure', eventId, config: longConfig }, 0);
    const open = heldView(handle(place('floor', 1, 'ann', 'open'), 1_000));
    expect(heldView(handle(place('floor', 1, 'ann', 'open'), 1_000 + day + 1))).toMatchObject({ holdId: open.holdId, status: 'held' });
  });

  it('answers a retry after a restore with the hold placed before the crash', () => {
    const { actor, handle, journal } = recording();
    const snapshot = actor.snapshot();
    const open = heldView(handle(place('floor', 2, 'ann', 'k-open'), 1_000));
    const closed = heldView(handle(place('floor', 1, 'bob', 'k-closed'), 1_000));
    handle({ kind: 'confirmHold', eventId, holdId: closed.holdId }, 1_500);

    for (const [from, tail] of [[null, journal], [snapshot, journal]] as const) {
      const restored = InventoryActor.restore(config, from, [...tail], counterIds());
      const retryOpen = restored.handle(place('floor', 2, 'ann', 'k-open'), 2_000);
      expect(retryOpen).toEqual({ outcome: { ok: true, kind: 'held', hold: open }, entries: [] });
      expect(heldView(restored.handle(place('floor', 1, 'bob', 'k-closed'), 2_000).outcome)).toMatchObject({ holdId: closed.holdId, status: 'confirmed' });
    }
    // From a snapshot taken after the hold opened, its key comes from the snapshot's holds.
    const later = InventoryActor.restore(config, actor.snapshot(), [], counterIds());
    expect(later.handle(place('floor', 2, 'ann', 'k-open'), 2_000).outcome).toEqual({ ok: true, kind: 'held', hold: open });
  });
});

describe('InventoryActor: expiry', () => {
  it('expires holds in expiry order, placement order among equals, and only those due', () => {
    const { actor, handle } = recording();
    const a = heldView(handle(place('floor', 1, 'a'), 3_000));
    const b = heldView(handle(place('floor', 1, 'b'), 1_000));
    const c = heldView(handle(place('floor', 1, 'c'), 2_000));
    const d = heldView(handle(place('floor', 1, 'd'), 1_000));
    expect(actor.nextExpiryAt()).toBe(61_000);
    const entries = actor.expire(62_000);
    expect(entries.map((e) => e.body)).toEqual([b, d, c].map((h) => ({ kind: 'hold_released', holdId: h.holdId, reason: 'expired' })));
    expect(entries.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(actor.nextExpiryAt()).toBe(a.expiresAt);
    expect(actor.availability().find((t) => t.typeId === 'floor')!.held).toBe(1);
  });

  it('skips holds that closed before their time in nextExpiryAt and expire', () => {
    const { actor, handle } = recording();
    const early = heldView(handle(place('floor', 1, 'a'), 1_000));
    heldView(handle(place('floor', 1, 'b'), 2_000));
    handle({ kind: 'releaseHold', eventId, holdId: early.holdId, buyer: null }, 1_500);
    expect(actor.nextExpiryAt()).toBe(62_000);
    expect(actor.expire(61_000)).toEqual([]);
    expect(actor.expire(62_000)).toHaveLength(1);
    expect(actor.nextExpiryAt()).toBeUndefined();
  });

  it('answers the expireHolds command with the count it expired', () => {
    const { handle } = recording();
    handle(place('floor', 1, 'a'), 1_000);
    handle(place('floor', 1, 'b'), 1_000);
    expect(handle({ kind: 'expireHolds', eventId }, 61_000)).toEqual({ ok: true, kind: 'expired', count: 2 });
  });
});

describe('InventoryActor: reads and settings', () => {
  it('tells how a hold stands, open, past its time, or closed', () => {
    const { handle } = recording();
    const hold = heldView(handle(place('floor', 1, 'ann'), 1_000));
    const get = { kind: 'getHold', eventId, holdId: hold.holdId } as const;
    expect(heldView(handle(get, 2_000)).status).toBe('held');
    expect(heldView(handle(get, 61_000)).status).toBe('expired');
    handle({ kind: 'confirmHold', eventId, holdId: hold.holdId }, 3_000);
    expect(heldView(handle(get, 4_000))).toEqual({ ...hold, status: 'confirmed' });
    expect(handle({ kind: 'getHold', eventId, holdId: 'nope' }, 4_000)).toEqual({ ok: false, reason: 'hold_not_found' });
    const expiring = heldView(handle(place('floor', 1, 'bob'), 5_000));
    handle({ kind: 'expireHolds', eventId }, 65_000);
    expect(heldView(handle({ kind: 'getHold', eventId, holdId: expiring.holdId }, 65_000)).status).toBe('expired');
  });

  it('answers the snapshot command with availability and the number of open holds', () => {
    const { actor, handle } = recording();
    handle(place('floor', 2, 'ann'), 1_000);
    expect(handle({ kind: 'snapshot', eventId }, 1_000)).toEqual({
      ok: true,
      kind: 'snapshot',
      eventId,
      seq: 1,
      activeHolds: 1,
      types: actor.availability(),
    });
    expect(actor.availability()).toEqual([
      { typeId: 'floor', capacity: 10, sold: 0, held: 2, available: 8, price: 5_000 },
      { typeId: 'balcony', capacity: 2, sold: 0, held: 0, available: 2, price: 3_000 },
    ]);
  });

  it('takes new settings but keeps capacities, and adds new types empty', () => {
    const { actor, handle } = recording();
    handle({ kind: 'changeCapacity', eventId, typeId: 'floor', capacity: 20 }, 0);
    const next: EventConfig = {
      ...config,
      perBuyerLimit: 1,
      types: [
        { typeId: 'floor', price: 6_000, capacity: 10 },
        { typeId: 'vip', price: 9_000, capacity: 5 },
      ],
    };
    expect(handle({ kind: 'reconfigure', eventId, config: next }, 0)).toEqual({ ok: true, kind: 'reconfigured' });
    expect(actor.availability()).toEqual([
      { typeId: 'floor', capacity: 20, sold: 0, held: 0, available: 20, price: 6_000 },
      { typeId: 'vip', capacity: 5, sold: 0, held: 0, available: 5, price: 9_000 },
    ]);
    expect(heldView(handle(place('floor', 1, 'ann'), 0)).price).toBe(6_000);
    expect(handle(place('floor', 1, 'ann'), 0)).toMatchObject({ ok: false, reason: 'limit_reached' });
  });

  it('keeps selling nothing of a retired type, keeps its sales, and replays its journal on recovery', () => {
    const { actor, handle, journal } = recording();
    const sold = heldView(handle(place('balcony', 1, 'ann'), 0));
    handle({ kind: 'confirmHold', eventId, holdId: sold.holdId }, 0);
    const retired: EventConfig = { ...config, types: [config.types[0]!, { ...config.types[1]!, retired: true }] };
    handle({ kind: 'reconfigure', eventId, config: retired }, 0);
    expect(handle(place('balcony', 1, 'bob'), 0)).toEqual({ ok: false, reason: 'unknown_ticket_type' });
    expect(actor.availability()[1]).toMatchObject({ typeId: 'balcony', sold: 1 });
    // The queue admits for what can still be sold: the floor's 10, not the retired balcony's last seat.
    expect(truthOf(actor).stockLeft).toBe(10);
    // No snapshot: the journal names the retired type, which the config Postgres gives still lists.
    const again = InventoryActor.restore(retired, null, [...journal], counterIds());
    expect(again.availability()[1]).toMatchObject({ typeId: 'balcony', sold: 1 });
    expect(again.handle(place('balcony', 1, 'bob'), 0).outcome).toEqual({ ok: false, reason: 'unknown_ticket_type' });
  });

  it('sells nothing of a draft', () => {
    const draft = InventoryActor.create({ ...config, draft: true }, counterIds());
    expect(draft.handle(place('floor', 1, 'ann'), 0).outcome).toEqual({ ok: false, reason: 'event_not_found' });
  });

  it('numbers its journal entries one after another', () => {
    const { handle, journal } = recording();
    const hold = heldView(handle(place('floor', 1, 'ann'), 0));
    handle(place('balcony', 5, 'ann'), 0);
    handle({ kind: 'confirmHold', eventId, holdId: hold.holdId }, 0);
    expect(journal.map((e) => [e.eventId, e.seq, e.body.kind])).toEqual([
      [eventId, 1, 'hold_placed'],
      [eventId, 2, 'hold_confirmed'],
    ]);
  });

  it('treats a command for another event as a bug', () => {
    const { actor } = recording();
    expect(() => actor.handle({ ...place('floor', 1, 'ann'), eventId: 'other' }, 0)).toThrow(InvariantError);
  });
});

describe('InventoryActor: restore', () => {
  it('rebuilds from a snapshot and the entries after it the same state as live', () => {
    const { actor, handle, journal, expire } = recording();
    const holds: HoldView[] = [];
    for (let i = 0; i < 6; i++) holds.push(heldView(handle(place(i % 3 === 0 ? 'balcony' : 'floor', 1, `b${i % 3}`, `k${i}`), i * 10_000)));
    const snapshot = structuredClone(actor.snapshot());
    const atSnapshot = journal.length;
    handle({ kind: 'confirmHold', eventId, holdId: holds[1]!.holdId }, 60_000);
    handle({ kind: 'releaseHold', eventId, holdId: holds[3]!.holdId, buyer: null }, 60_000);
    handle({ kind: 'changeCapacity', eventId, typeId: 'floor', capacity: 7 }, 60_000);
    expire(70_000);
    heldView(handle(place('floor', 2, 'b9', 'late'), 70_000));

    for (const restored of [
      InventoryActor.restore(config, snapshot, journal.slice(atSnapshot), counterIds()),
      InventoryActor.restore(config, snapshot, journal, counterIds()),
      InventoryActor.restore(config, null, journal, counterIds()),
    ]) {
      expect(restored.seq).toBe(actor.seq);
      expect(restored.availability()).toEqual(actor.availability());
      expect(restored.snapshot()).toEqual(actor.snapshot());
      expect(restored.nextExpiryAt()).toBe(actor.nextExpiryAt());
      expect(restored.inventory.perBuyer).toEqual(actor.inventory.perBuyer);
    }
    expect(restore(config, snapshot, journal.slice(atSnapshot)).holds).toEqual(actor.inventory.holds);
  });

  it('refuses a journal with a gap as a bug', () => {
    const { handle, journal } = recording();
    handle(place('floor', 1, 'a'), 0);
    handle(place('floor', 1, 'b'), 0);
    expect(() => InventoryActor.restore(config, null, journal.slice(1))).toThrow(InvariantError);
  });
});

describe('hold ids', () => {
  it('carry the event id, which eventIdOfHold gives back', () => {
    const holdId = newHoldId(eventId);
    expect(holdId).toMatch(/^6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\.[A-Za-z0-9_-]{12}$/);
    expect(eventIdOfHold(holdId)).toBe(eventId);
  });

  it('do not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(newHoldId(eventId));
    expect(seen.size).toBe(20_000);
  });

  it('reject ids of any other shape', () => {
    for (const bad of ['', eventId, `${eventId}.`, `${eventId}.short`, `${eventId}.abcdefghijklm`, `${eventId}.abcdefghij+/`, `not-a-uuid.abcdefghijkl`, `${eventId.toUpperCase()}.abcdefghijkl`, ` ${eventId}.abcdefghijkl`]) {
      expect(eventIdOfHold(bad)).toBeNull();
    }
  });

  it('are what the actor uses by default', () => {
    const actor = InventoryActor.create(config);
    const hold = heldView(actor.handle(place('floor', 1, 'ann'), 0).outcome);
    expect(eventIdOfHold(hold.holdId)).toBe(eventId);
  });
});

describe('the actor\'s bounded memories', () => {
  it('Recent drops its oldest entries past the bound, but keeps pinned ones', () => {
    const recent = new Recent<{ at: number; pinned: boolean }>(3, 1_000, (v) => v.pinned);
    recent.set('pinned', { at: 0, pinned: true }, 0);
    for (let i = 0; i < 10; i++) recent.set(`k${i}`, { at: i, pinned: false }, i);
    expect(recent.get('pinned', 10)).toBeDefined();
    expect(recent.get('k0', 10)).toBeUndefined();
    expect(recent.get('k9', 10)).toBeDefined();
    expect(recent.size).toBeLessThanOrEqual(4);
    expect(recent.get('k9', 1_009)).toBeUndefined();
    expect(recent.get('pinned', 5_000)).toBeDefined();
  });

  it('ClosedHolds finds the latest closes and forgets the oldest', () => {
    const closed = new ClosedHolds(2);
    const hold = (holdId: string) => ({ holdId, typeId: 't', qty: 1, buyer: 'b', price: 1, placedAt: 0, expiresAt: 1, key: null });
    closed.add(hold('a'), 'released');
    closed.add(hold('b'), 'confirmed');
    expect(closed.find('a')?.status).toBe('released');
    closed.add(hold('c'), 'expired');
    expect(closed.find('a')).toBeUndefined();
    expect(closed.find('b')?.status).toBe('confirmed');
    expect(closed.find('c')?.status).toBe('expired');
  });
});
