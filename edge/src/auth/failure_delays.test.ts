import { describe, expect, it } from 'vitest';
import { createFailureDelays } from './failure_delays.ts';

describe('failure delays', () => {
  const make = (now: () => number, keysMax?: number) =>
    createFailureDelays({ free: 2, baseMs: 1_000, maxMs: 8_000, forgetMs: 60_000, now, ...(keysMax ? { keysMax } : {}) });

  it('lets the free failures through, then doubles the wait up to the cap', () => {
    let now = 0;
    const delays = make(() => now);
    delays.charge('k');
    delays.charge('k');
    expect(delays.waitSeconds('k')).toBe(1);
    now += 1_000;
    expect(delays.waitSeconds('k')).toBe(0);
    delays.charge('k');
    expect(delays.waitSeconds('k')).toBe(2);
    for (let i = 0; i < 10; i++) delays.charge('k');
    expect(delays.waitSeconds('k')).toBe(8);
  });

  it('takes back a charge for an attempt that succeeded, and forgets a cleared key', () => {
    const delays = make(() => 0);
    delays.charge('k');
    delays.charge('k');
    delays.refund('k');
    expect(delays.waitSeconds('k')).toBe(0);
    delays.charge('k');
    delays.clear('k');
    delays.charge('k');
    expect(delays.waitSeconds('k')).toBe(0);
  });

  it('counts keys apart', () => {
    const delays = make(() => 0);
    for (let i = 0; i < 5; i++) delays.charge('stranger');
    expect(delays.waitSeconds('stranger')).toBeGreaterThan(0);
    expect(delays.waitSeconds('owner')).toBe(0);
  });

  it('forgets a key quiet for long, and stays bounded', () => {
    let now = 0;
    const delays = make(() => now, 3);
    for (let i = 0; i < 5; i++) delays.charge('old');
    now += 60_000;
    expect(delays.waitSeconds('old')).toBe(0);
    for (const key of ['a', 'b', 'c', 'd', 'e']) delays.charge(key);
    expect(delays.size()).toBeLessThanOrEqual(3);
  });
});
