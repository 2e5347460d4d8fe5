import { rateLimitKeysMax } from '../../../engine/src/constants.ts';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export type RateLimiter = {
  /** Counts one attempt for `key`; refuses once the window holds `max` attempts. */
  take(key: string): RateDecision;
  size(): number;
};

/**
 * A fixed-window counter per key (an email, an address). Bounded: when full it
 * first forgets finished windows, then the oldest key. Dropping a live key can
 * only let its owner try early, never lock an innocent key out.
 */
export function createRateLimiter(opts: { max: number; windowMs: number; keysMax?: number; now?: () => number }): RateLimiter {
  const { max, windowMs } = opts;
  const keysMax = opts.keysMax ?? rateLimitKeysMax;
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { startedAt: number; count: number }>();

  function makeRoom(at: number): void {
    for (const [key, w] of windows) if (at - w.startedAt >= windowMs) windows.delete(key);
    while (windows.size >= keysMax) windows.delete(windows.keys().next().value!);
  }

  return {
    take(key) {
      const at = now();
      let w = windows.get(key);
      if (w === undefined || at - w.startedAt >= windowMs) {
        if (w !== undefined) windows.delete(key);
        else if (windows.size >= keysMax) makeRoom(at);
        w = { startedAt: at, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= max) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.startedAt + windowMs - at) / 1000)) };
      }
      w.count += 1;
      return { ok: true };
    },
    size: () => windows.size,
  };
}
