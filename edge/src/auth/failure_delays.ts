import { rateLimitKeysMax } from '../../../engine/src/constants.ts';

/**
 * Failures counted per key (an address, or an account at an address), with a
 * delay that doubles after the free ones: `baseMs`, 2 × `baseMs`, ... up to
 * `maxMs`, measured from the last failure. A key quiet for `forgetMs` is
 * forgotten. Bounded: when full it forgets quiet keys, then the longest
 * quiet; dropping a live key only lets its owner try early.
 *
 * A failure is charged before the password is checked and refunded when it
 * was right, so a burst of parallel guesses cannot all slip in before the
 * first one has failed.
 */
export type FailureDelays = {
  /** Seconds to wait before the next attempt; 0: go ahead. */
  waitSeconds(key: string): number;
  charge(key: string): void;
  /** Takes back one charge (the attempt succeeded, or was never checked). */
  refund(key: string): void;
  /** Forgets the key (the right password, for a per-account key). */
  clear(key: string): void;
  size(): number;
};

type Entry = { failures: number; lastAt: number };

export function createFailureDelays(opts: { free: number; baseMs: number; maxMs: number; forgetMs: number; keysMax?: number; now?: () => number }): FailureDelays {
  const { free, baseMs, maxMs, forgetMs } = opts;
  const keysMax = opts.keysMax ?? rateLimitKeysMax;
  const now = opts.now ?? Date.now;
  // Insertion order is last-failure order: charge() moves a key to the end.
  const entries = new Map<string, Entry>();

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry !== undefined && at - entry.lastAt >= forgetMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function makeRoom(at: number): void {
    for (const [key, entry] of entries) {
      if (at - entry.lastAt < forgetMs) break;
      entries.delete(key);
    }
    while (entries.size >= keysMax) entries.delete(entries.keys().next().value!);
  }

  return {
    waitSeconds(key) {
      const at = now();
      const entry = live(key, at);
      if (entry === undefined || entry.failures < free) return 0;
      const delay = Math.min(maxMs, baseMs * 2 ** Math.min(30, entry.failures - free));
      const left = entry.lastAt + delay - at;
      return left <= 0 ? 0 : Math.ceil(left / 1000);
    },
    charge(key) {
      const at = now();
      const entry = live(key, at) ?? { failures: 0, lastAt: at };
      entries.delete(key);
      if (entries.size >= keysMax) makeRoom(at);
      entry.failures += 1;
      entry.lastAt = at;
      entries.set(key, entry);
    },
    refund(key) {
      const entry = entries.get(key);
      if (entry === undefined) return;
      entry.failures -= 1;
      if (entry.failures <= 0) entries.delete(key);
    },
    clear(key) {
      entries.delete(key);
    },
    size: () => entries.size,
  };
}
