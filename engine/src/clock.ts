/**
 * Time as the engine's loops see it. Production runs on the system's timers;
 * the simulation (engine/src/sim) gives the same classes a virtual clock, so
 * a seed replays exactly and hours of leases pass in milliseconds.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` after `ms` (0: once this I/O turn ends, as setImmediate); keeps the process alive meanwhile. */
  after(ms: number, fn: () => void): void;
  /** As `after`, but does not keep the process alive (background retries). */
  afterUnref(ms: number, fn: () => void): void;
  /** Runs `fn` every `ms` until the returned function is called; does not keep the process alive. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: Date.now,
  after(ms, fn) {
    if (ms <= 0) setImmediate(fn);
    else setTimeout(fn, ms);
  },
  afterUnref(ms, fn) {
    setTimeout(fn, ms).unref();
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
