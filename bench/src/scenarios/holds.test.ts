import { describe, expect, it } from 'vitest';
import { buyersFor } from './holds.ts';

describe('buyersFor', () => {
  const base = { observedRps: null, durationS: 10, available: 5_000_000, connections: 100, alreadyMade: 0 };

  it('sizes a 10 s run for at least 40k req/s with headroom, so a fast run never runs out', () => {
    expect(buyersFor(base)).toEqual({ buyers: 6_000, capped: false });
    expect(buyersFor({ ...base, observedRps: 5_000 })).toEqual({ buyers: 6_000, capped: false });
    expect(buyersFor({ ...base, observedRps: 60_000 })).toEqual({ buyers: 9_000, capped: false });
  });

  it('needs no more buyers than the stock left can use, and at least one per connection', () => {
    expect(buyersFor({ ...base, available: 1_000 })).toEqual({ buyers: 100, capped: false });
    expect(buyersFor({ ...base, available: 50_000, connections: 10 })).toEqual({ buyers: 500, capped: false });
    expect(buyersFor({ ...base, available: -5 })).toEqual({ buyers: 100, capped: false });
  });

  it('caps the pool below the node token cache', () => {
    const long = buyersFor({ ...base, durationS: 3_600 });
    expect(long.capped).toBe(true);
    expect(long.buyers).toBe(45_000);
    expect(buyersFor({ ...base, durationS: 3_600, alreadyMade: 44_990 })).toEqual({ buyers: 100, capped: true });
  });
});
