import { passwordHashesInFlightMax, passwordHashWaitersMax } from '../../../engine/src/constants.ts';
import { HttpError } from '../http/errors.ts';

/**
 * `verify`: a sign-in (or a password check); `hash`: a new password (sign-up,
 * password change). Sign-ins go first: a flood of sign-ups must not keep the
 * people who already have an account out.
 */
export type HashKind = 'verify' | 'hash';

export type HashGate = {
  /** Runs `work` when a slot is free; answers 503 `busy` at once when the kind's waiting line is full. */
  run<T>(kind: HashKind, work: () => Promise<T>): Promise<T>;
  running(): number;
  waiting(): number;
};

export const busyRetryAfterSeconds = 1;

/**
 * Bounds the password hashes (scrypt, on libuv's threadpool) running at once,
 * with a bounded waiting line per kind. Unbounded, 16 parallel sign-ups took
 * every threadpool thread and core, and a sign-in or an event read waited
 * seconds behind them; bounded, the rest of the server keeps its share and a
 * flood gets 503 `busy` with Retry-After instead of a stall.
 */
export function createHashGate(opts: { inFlightMax?: number; waitersMax?: number } = {}): HashGate {
  const inFlightMax = opts.inFlightMax ?? passwordHashesInFlightMax;
  const waitersMax = opts.waitersMax ?? passwordHashWaitersMax;
  const lines: Record<HashKind, (() => void)[]> = { verify: [], hash: [] };
  let running = 0;

  function startNext(): void {
    const start = lines.verify.shift() ?? lines.hash.shift();
    if (start === undefined) return;
    running += 1;
    start();
  }

  return {
    async run(kind, work) {
      if (running >= inFlightMax) {
        if (lines[kind].length >= waitersMax) {
          throw new HttpError(503, 'busy', `The server is busy checking passwords; try again in ${busyRetryAfterSeconds} s.`,
            undefined, { 'retry-after': String(busyRetryAfterSeconds) });
        }
        // startNext() counts this one as running before it resolves.
        await new Promise<void>((resolve) => lines[kind].push(resolve));
      } else {
        running += 1;
      }
      try {
        return await work();
      } finally {
        running -= 1;
        startNext();
      }
    },
    running: () => running,
    waiting: () => lines.verify.length + lines.hash.length,
  };
}
