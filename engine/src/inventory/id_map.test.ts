import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdMap } from './id_map.ts';

/** Ids drawn from a small pool, so sets, deletes and lookups meet; some share their last characters. */
const idArb = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((n) => `hold-${n}`),
  fc.integer({ min: 0, max: 40 }).map((n) => `${n}-same-tail`),
  fc.integer({ min: 0, max: 40 }).map((n) => `e.${String(n).padStart(12, 'x')}`),
);

const opArb = fc.oneof(
  fc.record({ op: fc.constant('set' as const), id: idArb, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), id: idArb }),
  fc.record({ op: fc.constant('get' as const), id: idArb }),
);

describe('IdMap', () => {
  it('answers as a Map does, in the same insertion order, through compactions and growth', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 600 }), fc.constantFrom(1, 2, 8, 64), (ops, capacity) => {
        const map = new Map<string, number>();
        const ids = new IdMap<number>(capacity);
        for (const step of ops) {
          if (step.op === 'set') {
            map.set(step.id, step.value);
            ids.set(step.id, step.value);
          } else if (step.op === 'delete') {
            expect(ids.delete(step.id)).toBe(map.delete(step.id));
          } else {
            expect(ids.get(step.id)).toBe(map.get(step.id));
            expect(ids.has(step.id)).toBe(map.has(step.id));
          }
          expect(ids.size).toBe(map.size);
        }
        expect(ids.entries()).toEqual([...map.entries()]);
        expect(ids.keys()).toEqual([...map.keys()]);
        expect(ids.values()).toEqual([...map.values()]);
        expect([...ids]).toEqual([...map]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps many ids through churn, as the actor does with open holds', () => {
    const ids = new IdMap<number>();
    const live: string[] = [];
    for (let n = 0; n < 50_000; n++) {
      const id = `event.${n.toString(36).padStart(12, '0')}`;
      ids.set(id, n);
      live.push(id);
      if (live.length > 1000) expect(ids.delete(live.shift()!)).toBe(true);
    }
    expect(ids.size).toBe(1000);
    expect(ids.get(live[0]!)).toBe(49_000);
    expect(ids.get('event.000000000000')).toBeUndefined();
    expect(ids.keys()).toEqual(live);
  });

  it('compares equal to another with the same entries in the same order, and unequal otherwise', () => {
    const a = new IdMap<{ qty: number }>(2);
    const b = new IdMap<{ qty: number }>(64);
    for (const id of ['x', 'y', 'z']) a.set(id, { qty: 1 });
    a.delete('x');
    for (const id of ['y', 'z']) b.set(id, { qty: 1 });
    expect(a).toEqual(b);
    b.set('z', { qty: 2 });
    expect(a).not.toEqual(b);
  });

  it('refuses the empty id, which marks its holes', () => {
    expect(() => new IdMap<number>().set('', 1)).toThrow(/never empty/);
  });
});
