import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate_limit.ts';

describe('rate limiter', () => {
  it('allows max attempts per window, then refuses with the seconds left', () => {
    let now = 0;
    const limiter = createRateLimiter({ max: 3, windowMs: 60_000, now: () => now });
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')].every((d) => d.ok)).toBe(true);
    now = 15_000;
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 45 });
  });

  it('counts keys apart', () => {
    const limiter = createRateLimiter({ max: 1, windowMs: 60_000 });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('b').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('opens again when the window has passed', () => {
    let now = 0;
    const limiter = createRateLimiter({ max: 1, windowMs: 1_000, now: () => now });
    limiter.take('k');
    expect(limiter.take('k').ok).toBe(false);
    now = 1_000;
    expect(limiter.take('k').ok).toBe(true);
  });

  it('stays bounded: forgets finished windows first, then the oldest key', () => {
    let now = 0;
    const limiter = createRateLimiter({ max: 1, windowMs: 1_000, keysMax: 3, now: () => now });
    limiter.take('a');
    limiter.take('b');
    now = 500;
    limiter.take('c');
    now = 1_200; // a and b have finished windows
    limiter.take('d');
    expect(limiter.size()).toBe(2);
    limiter.take('e');
    limiter.take('f');
    expect(limiter.size()).toBeLessThanOrEqual(3);
    // c (the oldest live key) was dropped to make room: it may try again early, nobody else is locked out.
    expect(limiter.take('f').ok).toBe(false);
  });
});
