import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InventoryActor } from './actor.ts';
import type { BasketItem, EventConfig, JournalEntry, Outcome } from './types.ts';

/*
 * Basket atomicity under contention: buyers race for scarce stock with
 * baskets, single holds, releases, sales and expiry interleaved in any order
 * (the actor serialises them, as the worker does). Never part of a basket
 * held: a basket's answer is all its holds or a refusal with nothing held,
 * the journal writes a basket's holds together in one command, and nothing is
 * ever oversold.
 */

const eventId = '2c9f4b1e-7d3a-4e6b-8f5c-1a2b3c4d5e6f';
const typeIds = ['floor', 'balcony', 'box', 'ghost'] as const; // 'ghost' is not on sale
const buyers = ['ann', 'bob', 'cat', 'dan', 'eve'] as const;
const config: EventConfig = {
  eventId,
  shard: 2,
  currency: 'TND',
  perBuyerLimit: 6,
  holdTtlMs: 30_000,
  saleStartsAt: null,
  saleEndsAt: null,
  types: [
    { typeId: 'floor', price: 45_000, capacity: 6 },
    { typeId: 'balcony', price: 30_000, capacity: 3 },
    { typeId: 'box', price: 120_000, capacity: 2 },
  ],
};

type Op =
  | { op: 'basket'; buyer: number; items: { type: number; qty: number }[]; key: number | null }
  | { op: 'single'; buyer: number; type: number; qty: number }
  | { op: 'release'; hold: number }
  | { op: 'confirm'; hold: number }
  | { op: 'tick'; ms: number }
  | { op: 'expire' };

const itemsArb = fc.uniqueArray(fc.record({ type: fc.nat(3), qty: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 4, selector: (i) => i.type });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('basket' as const), buyer: fc.nat(4), items: itemsArb, key: fc.option(fc.nat(3), { freq: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('single' as const), buyer: fc.nat(4), type: fc.nat(2), qty: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), hold: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('confirm' as const), hold: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.nat(5_000), fc.integer({ min: 25_000, max: 40_000 })) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'expire' as const }) },
);

function run(ops: Op[]) {
  const actor = InventoryActor.create(config, { deepChecks: true });
  const journal: JournalEntry[] = [];
  const placed: { holdId: string; buyer: string }[] = [];
  /** Each basket the actor held: its first hold id, and its items as asked. */
  const baskets = new Map<string, BasketItem[]>();
  let now = 1_000_000;
  const handle = (cmd: Parameters<InventoryActor['handle']>[0]): { outcome: Outcome; entries: JournalEntry[] } => {
    const handling = actor.handle(cmd, now);
    journal.push(...handling.entries);
    return handling;
  };

  for (const op of ops) {
    switch (op.op) {
      case 'basket': {
        const buyer = buyers[op.buyer]!;
        const items = op.items.map((i) => ({ typeId: typeIds[i.type]!, qty: i.qty }));
        const before = JSON.stringify(actor.availability());
        const holdsBefore = actor.inventory.holds.size;
        const { outcome, entries } = handle({ kind: 'placeBasket', eventId, items, buyer, key: op.key === null ? null : `k${op.key}` });
        if (!outcome.ok) {
          // Refused: nothing held, nothing journaled.
          expect(entries).toEqual([]);
          expect(actor.inventory.holds.size).toBe(holdsBefore);
          expect(JSON.stringify(actor.availability())).toBe(before);
          break;
        }
        expect(outcome.kind).toBe('basketHeld');
        if (outcome.kind !== 'basketHeld') break;
        if (entries.length === 0) {
          // A retry: the basket the key made first, hold for hold.
          expect(baskets.get(outcome.holds[0]!.holdId)).toBeDefined();
          break;
        }
        // Held: every item, one hold each, all journaled by this one command.
        expect(outcome.holds.map((h) => [h.typeId, h.qty])).toEqual(items.map((i) => [i.typeId, i.qty]));
        expect(entries.length).toBe(items.length);
        const basketId = outcome.holds[0]!.holdId;
        for (const [i, entry] of entries.entries()) {
          expect(entry.body.kind).toBe('hold_placed');
          if (entry.body.kind !== 'hold_placed') continue;
          expect(entry.body.hold.basket).toBe(basketId);
          expect(entry.body.hold.holdId).toBe(outcome.holds[i]!.holdId);
          expect(actor.inventory.holds.get(entry.body.hold.holdId)).toBe(entry.body.hold);
          placed.push({ holdId: entry.body.hold.holdId, buyer });
        }
        baskets.set(basketId, items);
        break;
      }
      case 'single': {
        const { outcome } = handle({ kind: 'placeHold', eventId, typeId: typeIds[op.type]!, qty: op.qty, buyer: buyers[op.buyer]!, key: null });
        if (outcome.ok && outcome.kind === 'held') placed.push({ holdId: outcome.hold.holdId, buyer: outcome.hold.buyer });
        break;
      }
      case 'release': {
        const hold = placed[op.hold % Math.max(placed.length, 1)];
        if (hold !== undefined) handle({ kind: 'releaseHold', eventId, holdId: hold.holdId, buyer: hold.buyer });
        break;
      }
      case 'confirm': {
        const hold = placed[op.hold % Math.max(placed.length, 1)];
        if (hold !== undefined) handle({ kind: 'confirmHold', eventId, holdId: hold.holdId });
        break;
      }
      case 'tick':
        now += op.ms;
        break;
      case 'expire':
        journal.push(...actor.expire(now));
        break;
    }
    // Never oversold, whatever interleaving.
    for (const type of actor.availability()) expect(type.sold + type.held).toBeLessThanOrEqual(type.capacity);
  }
  return { actor, journal, baskets };
}

describe('baskets under contention', () => {
  it('hold all of a basket or none of it, journal it in one piece, and never oversell', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => {
        const { actor, journal, baskets } = run(ops);
        // In the journal, a basket's holds are consecutive entries and all of its items: one command, one flush.
        const seqs = new Map<string, number[]>();
        for (const entry of journal) {
          if (entry.body.kind !== 'hold_placed' || entry.body.hold.basket === undefined) continue;
          const list = seqs.get(entry.body.hold.basket) ?? [];
          list.push(entry.seq);
          seqs.set(entry.body.hold.basket, list);
        }
        expect([...seqs.keys()].sort()).toEqual([...baskets.keys()].sort());
        for (const [basketId, list] of seqs) {
          expect(list.length).toBe(baskets.get(basketId)!.length);
          expect(list.at(-1)! - list[0]!).toBe(list.length - 1);
        }
        // Recovery from that journal rebuilds the same stock.
        const restored = InventoryActor.restore(config, null, journal, { deepChecks: true });
        expect(restored.availability()).toEqual(actor.availability());
      }),
      { seed: 20_261_207, numRuns: 300 },
    );
  });
});
