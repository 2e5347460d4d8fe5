import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InventoryActor } from '../inventory/actor.ts';
import type { Command, EventConfig, JournalEntry } from '../inventory/types.ts';
import { QueueActor } from './actor.ts';
import { truthOf } from './host.ts';
import { commitment, newSeed } from './lottery.ts';

/**
 * The queue actor wired to a real inventory actor the way the shard worker
 * wires them (gate, handle, observe; the expiry timer; the queue timer), under
 * random joins, admissions, holds, releases, expiries, sales and clock steps.
 * The model knows which admitted buyer holds what; the promise checked after
 * every step: the stock left covers every admitted buyer whose window is open
 * and who has not held yet, so each of them finds at least one ticket.
 */

type Op =
  | { op: 'join'; count: number }
  | { op: 'tick'; ms: number }
  | { op: 'hold'; pick: number; qty: number }
  | { op: 'again'; pick: number }
  | { op: 'release'; pick: number }
  | { op: 'sell'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('join' as const), count: fc.nat(6) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.nat(2_000), fc.nat(30_000), fc.nat(200_000)) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('hold' as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('again' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sell' as const), pick: fc.nat() }) },
);

const setupArb = fc.record({
  capacity: fc.nat(40),
  perBuyerLimit: fc.integer({ min: 1, max: 5 }),
  windowMs: fc.integer({ min: 1_000, max: 120_000 }),
  rate: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 600, max: 30_000 }), fc.constant('auto' as const)),
});

const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('queue and inventory together', () => {
  it('never admit more buyers than the stock left can serve, under random joins, holds, expiries and sales', () => {
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { minLength: 20, maxLength: 120 }), (setup, ops) => {
        const config: EventConfig = {
          eventId, shard: 0, currency: 'EUR', perBuyerLimit: setup.perBuyerLimit, holdTtlMs: 30_000,
          saleStartsAt: 0, saleEndsAt: null, types: [{ typeId: 'floor', price: 100, capacity: setup.capacity }],
        };
        const inventory = InventoryActor.create(config);
        const seed = newSeed();
        const queue = new QueueActor(eventId, {
          settings: { queueEnabled: true, waitingRoomOpensAt: null, ratePerMinute: setup.rate, admissionTokenTtlMs: setup.windowMs, powBits: 0, paused: false, holdRequires: 'account', holdsPerAddressMax: null },
          secret: { seedHex: seed.toString('hex'), commitment: commitment(seed) }, drawnCount: null, head: 0, places: [],
        }, truthOf(inventory), 0);
        let now = 0;
        let buyers = 0;
        const placeOf = new Map<string, number>();
        const admittedAt = new Map<string, number>();
        const served = new Set<string>();
        const holds: string[] = [];

        /** What the worker does with an inventory command. */
        function send(cmd: Command): ReturnType<InventoryActor['handle']>['outcome'] {
          const gated = cmd.kind === 'placeHold' && cmd.admitted === true ? queue.gate(cmd.buyer, cmd.key) : null;
          if (gated !== null) return gated;
          const { outcome, entries } = inventory.handle(cmd, now);
          const admitted = cmd.kind === 'placeHold' && cmd.admitted === true ? { buyer: cmd.buyer, key: cmd.key } : null;
          if (entries.length > 0) queue.observe(entries, truthOf(inventory), admitted);
          return outcome;
        }

        function tick(ms: number): void {
          now += ms;
          const expired: JournalEntry[] = inventory.expire(now);
          if (expired.length > 0) queue.observe(expired, truthOf(inventory), null);
          for (const h of [...holds]) if (!inventory.inventory.holds.has(h)) holds.splice(holds.indexOf(h), 1);
          const before = queue.head.head;
          queue.tick(now);
          for (const [buyer, place] of placeOf) if (place > before && place <= queue.head.head) admittedAt.set(buyer, now);
        }

        const openUnserved = () => [...admittedAt].filter(([b, at]) => !served.has(b) && at + setup.windowMs > now).map(([b]) => b);

        for (const op of ops) {
          switch (op.op) {
            case 'join':
              for (let i = 0; i < op.count; i++) {
                const buyer = `buyer-${++buyers}`;
                const answer = queue.join(buyer, now);
                if (answer.ok && answer.type === 'joined' && answer.place !== null) placeOf.set(buyer, answer.place);
              }
              break;
            case 'tick':
              tick(op.ms);
              // The lottery places of those who joined before the draw.
              for (let i = 1; i <= buyers; i++) {
                const buyer = `buyer-${i}`;
                if (placeOf.has(buyer)) continue;
                const answer = queue.join(buyer, now);
                if (answer.ok && answer.type === 'joined' && answer.place !== null) placeOf.set(buyer, answer.place);
              }
              break;
            case 'hold':
            case 'again': {
              const candidates = op.op === 'hold' ? openUnserved() : [...served];
              if (candidates.length === 0) break;
              const buyer = candidates[op.pick % candidates.length]!;
              const admission = queue.admit(placeOf.get(buyer)!, now);
              if (!admission.ok) {
                expect(op.op === 'again' || admission.reason === 'sold_out').toBe(true);
                break;
              }
              const qty = op.op === 'again' ? 1 : Math.min(op.qty, setup.perBuyerLimit);
              let outcome = send({ kind: 'placeHold', eventId, typeId: 'floor', qty, buyer, key: `${buyer}-${qty}-${op.op}`, admitted: true });
              if (op.op === 'again') {
                // One hold per admission: a second one with another key is refused.
                expect(outcome).toMatchObject({ ok: false, reason: 'limit_reached' });
                break;
              }
              // Asked for more than is left: the buyer settles for one, which must be there.
              if (!outcome.ok && outcome.reason === 'sold_out') outcome = send({ kind: 'placeHold', eventId, typeId: 'floor', qty: 1, buyer, key: `${buyer}-1`, admitted: true });
              expect(outcome.ok).toBe(true);
              if (outcome.ok && outcome.kind === 'held') holds.push(outcome.hold.holdId);
              served.add(buyer);
              break;
            }
            case 'release':
            case 'sell': {
              if (holds.length === 0) break;
              const [holdId] = holds.splice(op.pick % holds.length, 1) as [string];
              const outcome = send(op.op === 'sell' ? { kind: 'confirmHold', eventId, holdId } : { kind: 'releaseHold', eventId, holdId, buyer: null });
              expect(outcome.ok).toBe(true);
              break;
            }
          }
          const truth = truthOf(inventory);
          expect(queue.head.stockLeft).toBe(truth.stockLeft);
          expect(openUnserved().length).toBeLessThanOrEqual(truth.stockLeft);
          expect(queue.head.head).toBeLessThanOrEqual(queue.head.joined);
          if (queue.status(now).state === 'sold_out') expect(truth.stockLeft + truth.activeHolds).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
