import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextAttempt, queueBackoff, type BackoffPolicy } from './backoff.ts';

const policy: BackoffPolicy = { baseMs: 500, factor: 2, capMs: 30_000, stableMs: 10_000 };
const top = () => 0.999_999;

describe('backoffDelayMs', () => {
  it('starts at the base and multiplies by the factor each attempt', () => {
    expect(backoffDelayMs(policy, 0, top)).toBe(499);
    expect(backoffDelayMs(policy, 1, top)).toBe(999);
    expect(backoffDelayMs(policy, 3, top)).toBe(3_999);
    expect(backoffDelayMs({ ...policy, factor: 3 }, 2, top)).toBe(4_499);
  });

  it('never waits longer than the cap, however many attempts', () => {
    expect(backoffDelayMs(policy, 6, top)).toBe(29_999);
    expect(backoffDelayMs(policy, 1_000, top)).toBe(29_999);
  });

  it('spreads the delay over the whole step (full jitter), down to zero', () => {
    expect(backoffDelayMs(policy, 4, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 4, () => 0.5)).toBe(4_000);
    const seen = new Set(Array.from({ length: 50 }, (_, n) => backoffDelayMs(policy, 4, () => n / 50)));
    expect(seen.size).toBe(50);
  });
});

describe('nextAttempt', () => {
  it('resets after a connection that stayed up', () => {
    expect(nextAttempt(policy, 7, 10_000)).toBe(0);
    expect(nextAttempt(policy, 7, 60_000)).toBe(0);
  });

  it('keeps growing after a connection closed soon after opening, or that never opened', () => {
    expect(nextAttempt(policy, 7, 50)).toBe(8);
    expect(nextAttempt(policy, 0, null)).toBe(1);
  });

  it('waits at least a few seconds on average by the fifth failure in a row (no flood from a refusing server)', () => {
    let attempt = 0;
    for (let n = 0; n < 5; n++) attempt = nextAttempt(queueBackoff, attempt, 100);
    expect(backoffDelayMs(queueBackoff, attempt, () => 0.5)).toBeGreaterThanOrEqual(5_000);
  });
});
