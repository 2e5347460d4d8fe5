import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InventoryActor } from './actor.ts';
import type { EventConfig, JournalEntry, Outcome, SnapshotState } from './types.ts';

/**
 * The per-address cap of a drop (#11): holds from one address never add up to
 * more than the cap at once, whatever mix of buyers shares the address and
 * whatever order holds, releases, expiries and sales come in; a refusal
 * happens only when the hold really would pass the cap; and a restored actor
 * counts the same.
 */

const eventId = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const config: EventConfig = {
  eventId, shard: 2, currency: 'EUR', perBuyerLimit: 6, holdTtlMs: 30_000, saleStartsAt: null, saleEndsAt: null,
  types: [{ typeId: 'floor', price: 5_000, capacity: 40 }],
};
const cap = 4;
const buyers = ['ann', 'bob', 'cat', 'dan', 'eve'];
const addresses = ['203.0.113.7', '198.51.100.2', '2001:db8:1:2::/64'];

type Op =
  | { op: 'place'; qty: number; buyer: number; address: number }
  | { op: 'release'; hold: number }
  | { op: 'confirm'; hold: number }
  | { op: 'tick'; ms: number }
  | { op: 'expire' }
  | { op: 'snapshot' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('place' as const), qty: fc.integer({ min: 1, max: 3 }), buyer: fc.nat(buyers.length - 1), address: fc.nat(addresses.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), hold: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('confirm' as const), hold: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.nat(3_000), fc.integer({ min: 20_000, max: 40_000 })) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'expire' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'snapshot' as const }) },
);

/** What each address holds right now, counted from the open holds themselves. */
function heldPerAddress(actor: InventoryActor): Map<string, number> {
  const held = new Map<string, number>();
  for (const h of actor.inventory.holds.values()) if (h.address !== undefined) held.set(h.address, (held.get(h.address) ?? 0) + h.qty);
  return held;
}

describe('the per-address hold cap', () => {
  it('is never exceeded, refuses only past the cap, frees on release, expiry and sale, and restores exactly', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => {
        const actor = InventoryActor.create(config, { deepChecks: true });
        const journal: JournalEntry[] = [];
        let snapshot: { state: SnapshotState; at: number } | null = null;
        const holdIds: string[] = [];
        let now = 1_000_000;
        const handle = (cmd: Parameters<InventoryActor['handle']>[0]): Outcome => {
          const { outcome, entries } = actor.handle(cmd, now);
          journal.push(...entries);
          return outcome;
        };
        for (const op of ops) {
          if (op.op === 'place') {
            const address = addresses[op.address]!;
            const outcome = handle({ kind: 'placeHold', eventId, typeId: 'floor', qty: op.qty, buyer: buyers[op.buyer]!, key: null, address, addressMax: cap });
            if (outcome.ok && outcome.kind === 'held') holdIds.push(outcome.hold.holdId);
            // Refused for the address only when the hold would really take it past the cap (after what was due expired).
            if (!outcome.ok && outcome.reason === 'address_limit_reached') expect((heldPerAddress(actor).get(address) ?? 0) + op.qty).toBeGreaterThan(cap);
          } else if (op.op === 'release' && holdIds.length > 0) {
            handle({ kind: 'releaseHold', eventId, holdId: holdIds[op.hold % holdIds.length]!, buyer: null });
          } else if (op.op === 'confirm' && holdIds.length > 0) {
            handle({ kind: 'confirmHold', eventId, holdId: holdIds[op.hold % holdIds.length]! });
          } else if (op.op === 'tick') {
            now += op.ms;
          } else if (op.op === 'expire') {
            journal.push(...actor.expire(now));
          } else if (op.op === 'snapshot') {
            snapshot = { state: structuredClone(actor.snapshot()), at: journal.length };
          }
          const held = heldPerAddress(actor);
          for (const count of held.values()) expect(count).toBeLessThanOrEqual(cap);
          expect(actor.inventory.perAddress).toEqual(held);
        }
        const fromJournal = InventoryActor.restore(config, null, structuredClone(journal), { deepChecks: true });
        expect(fromJournal.inventory.perAddress).toEqual(actor.inventory.perAddress);
        if (snapshot !== null) {
          const fromSnapshot = InventoryActor.restore(config, structuredClone(snapshot.state), structuredClone(journal.slice(snapshot.at)), { deepChecks: true });
          expect(fromSnapshot.inventory.perAddress).toEqual(actor.inventory.perAddress);
        }
      }),
      { seed: 20_261_206, numRuns: 300 },
    );
  });
});
