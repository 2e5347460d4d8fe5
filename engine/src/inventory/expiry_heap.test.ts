import { describe, expect, it } from 'vitest';
import { ExpiryHeap } from './expiry_heap.ts';
import type { Hold } from './types.ts';

function hold(n: number, expiresAt: number): Hold {
  return { holdId: `h${n}`, typeId: 't', qty: 1, buyer: 'b', price: 1, placedAt: 0, expiresAt, key: null };
}

/** A small deterministic generator, so a failure can be replayed. */
function numbers(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x % 1_000;
  };
}

describe('ExpiryHeap', () => {
  it('pops by expiry, placement order among equals, across rebuilds that shrink it and pushes that grow it again', () => {
    const next = numbers(7);
    const heap = new ExpiryHeap();
    let live: Hold[] = [];
    let n = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 400; i++) {
        const h = hold(n++, next());
        heap.push(h);
        live.push(h);
      }
      // Keep one hold in three, as if the rest had closed, and rebuild from them (in placement order).
      live = live.filter((_, i) => i % 3 === 0);
      heap.rebuild(live);
      expect(heap.size).toBe(live.length);
      expect(new Set(heap.contents())).toEqual(new Set(live));
    }
    const popped: Hold[] = [];
    for (let h = heap.pop(); h !== undefined; h = heap.pop()) popped.push(h);
    const expected = [...live].sort((a, b) => a.expiresAt - b.expiresAt);
    expect(popped).toEqual(expected);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });
});
