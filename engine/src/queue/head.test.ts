import { describe, expect, it } from 'vitest';
import {
  admissionEndsAt,
  advance,
  effectiveRatePerMinute,
  estimatedMsPerPlace,
  holdPlaced,
  holdReleased,
  holdSold,
  join,
  newHead,
  pause,
  resume,
  setRate,
  status,
  stockChanged,
  type HeadConfig,
  type HeadState,
} from './head.ts';

const config: HeadConfig = { now: 0, stockLeft: 1_000, perBuyerLimit: 4, ratePerMinute: 60, admissionWindowMs: 300_000 };

function joined(state: HeadState, count: number): HeadState {
  let s = state;
  for (let i = 0; i < count; i++) s = join(s).state;
  return s;
}

describe('queue head', () => {
  it('hands out dense places from 1', () => {
    const first = join(newHead(config));
    const second = join(first.state);
    expect([first.place, second.place]).toEqual([1, 2]);
  });

  it('admits at the set rate, carrying fractions of an admission between steps', () => {
    let s = joined(newHead(config), 100);
    s = advance(s, 500);
    expect(s.head).toBe(0);
    s = advance(s, 500);
    expect(s.head).toBe(1);
    s = advance(s, 59_000);
    expect(s.head).toBe(60);
  });

  it('never moves the head past the last place joined, and saves no credit for later', () => {
    let s = joined(newHead(config), 3);
    s = advance(s, 60_000);
    expect(s.head).toBe(3);
    s = joined(s, 10);
    s = advance(s, 1_000);
    expect(s.head).toBe(4);
  });

  it('admits no more buyers than the stock left can serve at the per-buyer limit', () => {
    let s = joined(newHead({ ...config, stockLeft: 10 }), 100);
    s = advance(s, 60_000);
    expect([s.head, s.waiting]).toEqual([3, 3]); // ceil(10 / 4)
    s = advance(holdPlaced(s, 4), 60_000);
    expect(s.head).toBe(3); // 6 left serve 2, and 2 wait
    s = advance(holdPlaced(s, 1), 60_000);
    expect(s.head).toBe(4); // 5 left serve 2, 1 waits
  });

  it('closes unused admissions when their window ends, making room for the next places', () => {
    let s = joined(newHead({ ...config, stockLeft: 4 }), 10);
    s = advance(s, 1_000);
    expect(s.head).toBe(1);
    expect(admissionEndsAt(s, 1)).toBe(1_000 + config.admissionWindowMs);
    expect(admissionEndsAt(s, 2)).toBeUndefined();
    s = advance(s, config.admissionWindowMs - 1);
    expect([s.head, s.waiting]).toEqual([1, 1]);
    s = advance(s, 1);
    expect(admissionEndsAt(s, 1)).toBeUndefined();
    expect([s.head, s.waiting]).toEqual([2, 1]);
  });

  it('takes a hold off the oldest admission still counted, so a lapse never under-counts who waits', () => {
    // Places 1 and 2 are admitted a second apart; the buyer of place 1 holds.
    let s = joined(newHead({ ...config, stockLeft: 100, admissionWindowMs: 5_000 }), 2);
    s = advance(s, 1_000);
    s = advance(s, 1_000);
    expect(s.head).toBe(2);
    s = holdPlaced(s, 1);
    // Place 1's window closes; place 2 may still come to hold, so it must still count.
    s = advance(s, 4_500);
    expect(admissionEndsAt(s, 2)).toBe(7_000);
    expect(s.waiting).toBe(1);
  });

  it('does not move while paused, and keeps its carry across the pause', () => {
    let s = advance(joined(newHead(config), 100), 500);
    s = advance(pause(s), 600_000);
    expect(status(s)).toBe('paused');
    expect(s.head).toBe(0);
    s = advance(resume(s), 500);
    expect(s.head).toBe(1);
  });

  it('applies a rate change at the next step', () => {
    let s = advance(joined(newHead({ ...config, stockLeft: 100_000 }), 1_000), 60_000);
    s = advance(setRate(s, 600), 60_000);
    expect(s.head).toBe(60 + 600);
  });

  it('says all tickets are held while holds may still come back, and reopens when one does', () => {
    let s = joined(newHead({ ...config, stockLeft: 2, perBuyerLimit: 2 }), 5);
    s = holdPlaced(advance(s, 1_000), 2);
    expect(status(s)).toBe('all_held');
    s = advance(s, 60_000);
    expect(s.head).toBe(1);
    s = advance(holdReleased(s, 2), 1_000);
    expect(status(s)).toBe('open');
    expect(s.head).toBe(2);
  });

  it('stops for good at sell-out and says so', () => {
    let s = joined(newHead({ ...config, stockLeft: 2, perBuyerLimit: 2 }), 5);
    s = holdSold(holdPlaced(advance(s, 1_000), 2));
    expect(status(s)).toBe('sold_out');
    s = advance(stockChanged(s, 10), 600_000);
    expect(s.head).toBe(1);
    expect(status(s)).toBe('sold_out');
  });

  it('derives the automatic rate from stock left, active holds and the hold-to-sale ratio', () => {
    // 800 free tickets serve 200 buyers; no holds; 1.5 admissions per sale over 8 minutes.
    const s = setRate(newHead({ ...config, stockLeft: 800 }), 'auto');
    expect(effectiveRatePerMinute(s)).toBe(Math.ceil((1.5 * 200) / 8));
    expect(estimatedMsPerPlace(s)).toBeCloseTo(60_000 / 38);
    expect(effectiveRatePerMinute(stockChanged(s, 8_000))).toBeGreaterThan(effectiveRatePerMinute(s));
    expect(effectiveRatePerMinute(stockChanged(s, 4))).toBe(1);
  });

  it('observes the hold-to-sale ratio from holds placed and sold', () => {
    let s = advance(joined(newHead(config), 10), 10_000);
    for (let i = 0; i < 4; i++) s = holdPlaced(s, 1);
    s = holdSold(s);
    expect(s.holdToSaleRatio).toBe(4);
    s = holdSold(s);
    expect(s.holdToSaleRatio).toBe(2);
  });

  it('refuses a rate of 0, which is what pause is for', () => {
    expect(() => setRate(newHead(config), 0)).toThrow(/from 1/);
  });

  it('refuses a hold with no admitted buyer waiting, as a bug in the caller', () => {
    expect(() => holdPlaced(newHead(config), 1)).toThrow();
  });
});
