import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admissionEndsAt, advance, holdPlaced, holdReleased, holdSold, join, newHead, pause, resume, setRate, type HeadState } from './head.ts';

type Op =
  | { op: 'join'; count: number }
  | { op: 'tick'; ms: number }
  | { op: 'hold'; pick: number; qty: number }
  | { op: 'release'; pick: number }
  | { op: 'sell'; pick: number }
  | { op: 'pause' }
  | { op: 'resume' }
  | { op: 'rate'; rate: number | 'auto' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('join' as const), count: fc.nat(8) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.nat(2_000), fc.nat(20_000), fc.nat(400_000)) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('hold' as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sell' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'pause' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'resume' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rate' as const), rate: fc.oneof(fc.integer({ min: 1, max: 6_000 }), fc.constant('auto' as const)) }) },
);

const setupArb = fc.record({
  stock: fc.nat(60),
  perBuyerLimit: fc.integer({ min: 1, max: 6 }),
  windowMs: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 300_000 })),
  rate: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 600, max: 60_000 }), fc.constant('auto' as const)),
});

/**
 * The model knows what the head cannot: which admitted place each hold came
 * from. Buyers hold in any order, not oldest first, and some never come back.
 */
type Model = { now: number; stock: number; admittedAt: Map<number, number>; served: Set<number>; holds: number[] };

function openUnserved(model: Model, windowMs: number): number[] {
  return [...model.admittedAt].filter(([place, at]) => !model.served.has(place) && at + windowMs > model.now).map(([place]) => place);
}

function step(s: HeadState, model: Model, op: Op, windowMs: number): HeadState {
  switch (op.op) {
    case 'join':
      for (let i = 0; i < op.count; i++) s = join(s).state;
      return s;
    case 'tick': {
      const before = s;
      model.now += op.ms;
      s = advance(s, op.ms);
      if (before.paused || before.soldOut) expect(s.head).toBe(before.head);
      for (let place = before.head + 1; place <= s.head; place++) model.admittedAt.set(place, model.now);
      return s;
    }
    case 'hold': {
      const candidates = openUnserved(model, windowMs);
      if (candidates.length === 0) return s;
      // Every admitted buyer must find at least one ticket.
      expect(model.stock).toBeGreaterThan(0);
      const place = candidates[op.pick % candidates.length]!;
      const qty = Math.min(op.qty, s.perBuyerLimit, model.stock);
      model.served.add(place);
      model.stock -= qty;
      model.holds.push(qty);
      return holdPlaced(s, qty);
    }
    case 'release':
    case 'sell': {
      if (model.holds.length === 0) return s;
      const [qty] = model.holds.splice(op.pick % model.holds.length, 1) as [number];
      if (op.op === 'sell') return holdSold(s);
      model.stock += qty;
      return holdReleased(s, qty);
    }
    case 'pause':
      return pause(s);
    case 'resume':
      return resume(s);
    case 'rate':
      return setRate(s, op.rate);
  }
}

describe('queue head, under random joins, holds, expiries, sales and clock steps', () => {
  it('never admits more waiting buyers than the stock left can serve, never passes the last place, never moves paused or sold out', () => {
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { minLength: 20, maxLength: 150 }), (setup, ops) => {
        let s = newHead({ now: 0, stockLeft: setup.stock, perBuyerLimit: setup.perBuyerLimit, ratePerMinute: setup.rate, admissionWindowMs: setup.windowMs });
        const model: Model = { now: 0, stock: setup.stock, admittedAt: new Map(), served: new Set(), holds: [] };
        let soldOutHead: number | undefined;
        for (const op of ops) {
          s = step(s, model, op, setup.windowMs);
          const waitingTruly = openUnserved(model, setup.windowMs).length;
          const canServe = Math.ceil(model.stock / setup.perBuyerLimit);
          expect(s.stockLeft).toBe(model.stock);
          expect(s.activeHolds).toBe(model.holds.length);
          expect(waitingTruly).toBeLessThanOrEqual(canServe);
          expect(s.waiting).toBeGreaterThanOrEqual(waitingTruly);
          expect(s.waiting).toBeLessThanOrEqual(canServe);
          expect(s.head).toBeLessThanOrEqual(s.joined);
          if (s.soldOut) {
            soldOutHead ??= s.head;
            expect(s.head).toBe(soldOutHead);
          }
          for (const [place, at] of model.admittedAt) {
            const open = at + setup.windowMs > model.now;
            expect(admissionEndsAt(s, place)).toBe(open ? at + setup.windowMs : undefined);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('admits exactly rate × time however the time is split into steps (no drift)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(fc.nat(5_000), { maxLength: 300 }), (rate, steps) => {
        // Plenty of places, stock and window, so only the rate limits the head.
        let s: HeadState = { ...newHead({ now: 0, stockLeft: 10_000_000, perBuyerLimit: 1, ratePerMinute: rate, admissionWindowMs: 10 ** 12 }), joined: 2_000_000 };
        for (const ms of steps) s = advance(s, ms);
        const total = steps.reduce((a, b) => a + b, 0);
        expect(s.head).toBe(Math.floor((rate * total) / 60_000));
      }),
      { numRuns: 50 },
    );
  });
});
