import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shardOf } from './shards.ts';

describe('shardOf', () => {
  it('is stable and spreads ids over the shards', () => {
    expect(shardOf('0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a', 64)).toBe(shardOf('0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a', 64));
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardOf(randomUUID(), 8)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});
