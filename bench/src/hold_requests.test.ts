import { describe, expect, it } from 'vitest';
import { oversellChecks } from './hold_requests.ts';

describe('oversellChecks', () => {
  it('passes a type whose sold and held reach its capacity, fails one past it, one check per type', () => {
    const checks = oversellChecks([
      { id: 'ga', name: 'General', capacity: 10, sold: 6, held: 4 },
      { id: 'vip', capacity: 2, sold: 2, held: 1 },
    ]);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([['no oversell (General)', true], ['no oversell (vip)', false]]);
    expect(checks[1]!.detail).toBe('sold 2 + held 1 = 3 <= capacity 2');
  });

  it('with the capacity the event was made with, fails sales past it even when a raised capacity still holds them', () => {
    const types = [{ id: 'ga', capacity: 20, sold: 12, held: 0 }];
    expect(oversellChecks(types)[0]!.ok).toBe(true);
    expect(oversellChecks(types, 10)[0]).toMatchObject({ ok: false, detail: 'sold 12 + held 0 = 12 <= capacity 20, sold 12 <= 10 (the capacity it was made with)' });
    expect(oversellChecks(types, 12)[0]!.ok).toBe(true);
  });
});
