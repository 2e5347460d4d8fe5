import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InventoryActor } from './actor.ts';
import { restore } from './apply.ts';
import type { EventConfig, JournalEntry, Outcome, SnapshotState } from './types.ts';

const eventId = '0b7e4c1d-2a3f-4e5d-9c8b-7a6f5e4d3c2b';
const typeIds = ['floor', 'balcony', 'ghost'] as const; // 'ghost' is not on sale
const buyers = ['ann', 'bob', 'cat', 'dan'] as const;
const baseConfig: EventConfig = {
  eventId,
  shard: 1,
  currency: 'EUR',
  perBuyerLimit: 5,
  holdTtlMs: 30_000,
  saleStartsAt: null,
  saleEndsAt: null,
  types: [
    { typeId: 'floor', price: 5_000, capacity: 8 },
    { typeId: 'balcony', price: 3_000, capacity: 3 },
  ],
};

type Op =
  | { op: 'place'; type: number; qty: number; buyer: number; key: number | null }
  | { op: 'retry' }
  | { op: 'release'; hold: number; by: 'owner' | 'other' | 'trusted' }
  | { op: 'confirm'; hold: number }
  | { op: 'refund'; hold: number }
  | { op: 'capacity'; type: number; capacity: number }
  | { op: 'expire'; viaCommand: boolean }
  | { op: 'tick'; ms: number }
  | { op: 'snapshot' }
  | { op: 'limit'; perBuyerLimit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('place' as const), type: fc.nat(2), qty: fc.integer({ min: 1, max: 4 }), buyer: fc.nat(3), key: fc.option(fc.nat(4), { freq: 2 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'retry' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), hold: fc.nat(), by: fc.constantFrom('owner' as const, 'other' as const, 'trusted' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('confirm' as const), hold: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('refund' as const), hold: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('capacity' as const), type: fc.nat(2), capacity: fc.nat(12) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('expire' as const), viaCommand: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.nat(2_000), fc.integer({ min: 25_000, max: 70_000 })) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'snapshot' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('limit' as const), perBuyerLimit: fc.integer({ min: 1, max: 8 }) }) },
);

type Mark = { snapshot: SnapshotState; journalLength: number };

/** Runs one sequence, checking the properties as it goes; returns what the restore checks need. */
function run(ops: Op[]) {
  const actor = InventoryActor.create(baseConfig, { deepChecks: true });
  let config = baseConfig;
  const journal: JournalEntry[] = [];
  const marks: Mark[] = [];
  const seenHolds: { holdId: string; buyer: string }[] = [];
  /** Confirmed holds as Postgres knows them (the actor forgets them), and whether a refund went through. */
  const confirmed: { holdId: string; typeId: string; qty: number; buyer: string; refunded: boolean }[] = [];
  /** The first answer to each (buyer, key): a hold id or a refusal reason. */
  const firstAnswers = new Map<string, { typeId: string; qty: number; answer: string }>();
  let lastKeyed: Extract<Op, { op: 'place' }> | null = null;
  let now = 1_000_000;

  const handle = (cmd: Parameters<InventoryActor['handle']>[0]): Outcome => {
    const { outcome, entries } = actor.handle(cmd, now);
    for (const [i, entry] of entries.entries()) expect(entry.seq).toBe(journal.length + i + 1);
    journal.push(...entries);
    return outcome;
  };
  const holdAt = (i: number) => seenHolds[i % Math.max(seenHolds.length, 1)];
  const expectNothingDue = () => {
    for (const hold of actor.inventory.holds.values()) expect(hold.expiresAt).toBeGreaterThan(now);
  };

  const place = (op: Extract<Op, { op: 'place' }>) => {
    const buyer = buyers[op.buyer]!;
    const typeId = typeIds[op.type]!;
    const key = op.key === null ? null : `key-${op.key}`;
    const outcome = handle({ kind: 'placeHold', eventId, typeId, qty: op.qty, buyer, key });
    const answer = outcome.ok ? (outcome.kind === 'held' ? outcome.hold.holdId : 'other') : outcome.reason;
    if (outcome.ok && outcome.kind === 'held' && outcome.hold.status === 'held' && !seenHolds.some((h) => h.holdId === outcome.hold.holdId)) {
      seenHolds.push({ holdId: outcome.hold.holdId, buyer });
    }
    if (key === null) return;
    lastKeyed = op;
    const scoped = `${buyer}\u0000${key}`;
    const first = firstAnswers.get(scoped);
    if (first === undefined) firstAnswers.set(scoped, { typeId, qty: op.qty, answer });
    else if (first.typeId === typeId && first.qty === op.qty) expect(answer).toBe(first.answer);
    else expect(answer).toBe('idempotency_key_reused');
  };

  for (const op of ops) {
    switch (op.op) {
      case 'place':
        place(op);
        break;
      case 'retry':
        if (lastKeyed !== null) place(lastKeyed);
        break;
      case 'release': {
        const hold = holdAt(op.hold);
        if (hold === undefined) break;
        const buyer = op.by === 'owner' ? hold.buyer : op.by === 'other' ? 'mallory' : null;
        const outcome = handle({ kind: 'releaseHold', eventId, holdId: hold.holdId, buyer });
        if (op.by === 'other') expect(outcome.ok).toBe(false);
        break;
      }
      case 'confirm': {
        const hold = holdAt(op.hold);
        if (hold === undefined) break;
        const outcome = handle({ kind: 'confirmHold', eventId, holdId: hold.holdId });
        if (outcome.ok && outcome.kind === 'confirmed') {
          confirmed.push({ holdId: hold.holdId, typeId: outcome.hold.typeId, qty: outcome.hold.qty, buyer: hold.buyer, refunded: false });
        }
        break;
      }
      case 'refund': {
        const sale = confirmed[op.hold % Math.max(confirmed.length, 1)];
        if (sale === undefined) break;
        const before = actor.availability().find((t) => t.typeId === sale.typeId)!;
        const journalBefore = journal.length;
        const outcome = handle({ kind: 'refundTickets', eventId, holdId: sale.holdId, typeId: sale.typeId, qty: sale.qty, buyer: sale.buyer });
        const after = actor.availability().find((t) => t.typeId === sale.typeId)!;
        // Once per hold: the first refund gives the seats back, a repeat changes nothing.
        expect(outcome).toMatchObject({ ok: true, kind: 'refunded', again: sale.refunded });
        expect(after.sold).toBe(before.sold - (sale.refunded ? 0 : sale.qty));
        if (sale.refunded) expect(journal.length).toBe(journalBefore);
        sale.refunded = true;
        break;
      }
      case 'capacity':
        handle({ kind: 'changeCapacity', eventId, typeId: typeIds[op.type]!, capacity: op.capacity });
        break;
      case 'expire':
        if (op.viaCommand) handle({ kind: 'expireHolds', eventId });
        else journal.push(...actor.expire(now));
        expectNothingDue();
        break;
      case 'tick':
        now += op.ms;
        break;
      case 'snapshot':
        marks.push({ snapshot: structuredClone(actor.snapshot()), journalLength: journal.length });
        break;
      case 'limit':
        config = { ...config, perBuyerLimit: op.perBuyerLimit };
        handle({ kind: 'reconfigure', eventId, config });
        break;
    }
  }

  // A key never made more than one hold.
  const placedPerKey = new Map<string, number>();
  for (const entry of journal) {
    if (entry.body.kind !== 'hold_placed' || entry.body.hold.key === null) continue;
    const scoped = `${entry.body.hold.buyer}\u0000${entry.body.hold.key}`;
    placedPerKey.set(scoped, (placedPerKey.get(scoped) ?? 0) + 1);
  }
  for (const count of placedPerKey.values()) expect(count).toBe(1);
  return { actor, config, journal, marks, now };
}

function expectSameState(restored: InventoryActor, live: InventoryActor): void {
  expect(restored.seq).toBe(live.seq);
  expect(restored.availability()).toEqual(live.availability());
  expect(restored.inventory.holds).toEqual(live.inventory.holds);
  expect(restored.inventory.perBuyer).toEqual(live.inventory.perBuyer);
  expect(restored.inventory.refunded).toEqual(live.inventory.refunded);
  expect(restored.nextExpiryAt()).toBe(live.nextExpiryAt());
}

describe('InventoryActor under random commands', () => {
  it('keeps the invariant, never doubles a keyed hold, expires what is due, and restores to the live state', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 150, size: 'max' }), (ops) => {
        const { actor, config, journal, marks, now } = run(ops);
        const sources: [SnapshotState | null, JournalEntry[]][] = [[null, journal]];
        for (const mark of marks) sources.push([mark.snapshot, journal.slice(mark.journalLength)], [mark.snapshot, journal]);
        for (const [snapshot, entries] of sources) {
          const restored = InventoryActor.restore(config, structuredClone(snapshot), structuredClone(entries), { deepChecks: true });
          expectSameState(restored, actor);
          expect(restore(config, structuredClone(snapshot), entries).types).toEqual(actor.inventory.types);
          // A retry after the crash finds every open keyed hold.
          for (const hold of actor.inventory.holds.values()) {
            if (hold.key === null) continue;
            const retry = restored.handle({ kind: 'placeHold', eventId, typeId: hold.typeId, qty: hold.qty, buyer: hold.buyer, key: hold.key }, now);
            expect(retry.entries).toEqual([]);
            expect(retry.outcome.ok && retry.outcome.kind === 'held' && retry.outcome.hold.holdId).toBe(hold.holdId);
          }
        }
      }),
      { seed: 20_240_601, numRuns: 400 },
    );
  });
});
