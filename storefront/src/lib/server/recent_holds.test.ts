import type { Cookies } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { recentHolds, recentHoldsMax, rememberHold } from './recent_holds';

function jar(): Cookies {
  const values = new Map<string, string>();
  return { get: (name: string) => values.get(name), set: (name: string, value: string) => void values.set(name, value) } as unknown as Cookies;
}

const hold = (n: number) => `6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b.${String(n).padStart(12, 'A')}`;

describe('recent holds cookie (#15)', () => {
  it('keeps the newest holds first, each once, at most recentHoldsMax', () => {
    const cookies = jar();
    for (let n = 1; n <= recentHoldsMax + 2; n++) rememberHold(cookies, 'ann', hold(n));
    rememberHold(cookies, 'ann', hold(4));
    const kept = recentHolds(cookies, 'ann');
    expect(kept).toHaveLength(recentHoldsMax);
    expect(kept[0]).toBe(hold(4));
    expect(new Set(kept).size).toBe(kept.length);
  });

  it('shows another account none of them, and ignores what is not a hold id', () => {
    const cookies = jar();
    rememberHold(cookies, 'ann', hold(1));
    rememberHold(cookies, 'ann', '../../etc');
    expect(recentHolds(cookies, 'bob')).toEqual([]);
    expect(recentHolds(cookies, 'ann')).toEqual([hold(1)]);
    cookies.set('tickr_holds', '{not json', { path: '/' });
    expect(recentHolds(cookies, 'ann')).toEqual([]);
  });
});
