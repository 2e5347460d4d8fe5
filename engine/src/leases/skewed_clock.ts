import { readFileSync } from 'node:fs';

/** How often a skewed clock re-reads its offset file: a jump takes effect within this. */
const skewRereadMs = 100;

/**
 * The clock the lease keeper reads: `Date.now`, or, for fault tests only
 * (TICKR_TEST_CLOCK_SKEW_FILE, which readConfig refuses in production),
 * `Date.now` plus the milliseconds written in `file`, re-read every 100 ms so
 * a test can jump the clock of a running node. A missing or unreadable file
 * means no skew. Only the lease keeper's view of time moves (when a renewal
 * was asked, until when a shard is served); Redis's TTLs, Postgres, timers and
 * every other clock of the node are untouched.
 */
export function leaseClock(file: string | null): { now: () => number; close: () => void } {
  if (file === null) return { now: Date.now, close: () => {} };
  let offsetMs = 0;
  const read = () => {
    try {
      const value = Number(readFileSync(file, 'utf8').trim());
      offsetMs = Number.isFinite(value) ? value : 0;
    } catch {
      offsetMs = 0;
    }
  };
  read();
  const timer = setInterval(read, skewRereadMs);
  timer.unref();
  return { now: () => Date.now() + offsetMs, close: () => clearInterval(timer) };
}
