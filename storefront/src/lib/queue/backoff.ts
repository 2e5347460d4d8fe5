/**
 * When to try the queue's WebSocket again after it closed. Pure: the random
 * source and the times are arguments, so the page and the tests agree.
 *
 * Exponential with full jitter (a random delay between 0 and the capped
 * exponential step): when a node restarts, its waiters come back spread over
 * the whole window instead of in waves. The attempt count only goes back to
 * zero after a connection that stayed up (`stableMs`): a server that accepts
 * and then closes at once must not reset the backoff, or one page would
 * knock several times a second for as long as it is open.
 */

export type BackoffPolicy = {
  /** The first step's upper bound. */
  baseMs: number;
  /** How much each failed attempt multiplies the step by. */
  factor: number;
  /** No step waits longer than this. */
  capMs: number;
  /** A connection open at least this long counts as a success and resets the attempts. */
  stableMs: number;
};

export const queueBackoff: BackoffPolicy = {
  // Half a second: a blip (a node's restart, a proxy's reload) is over quickly, and most pages are back at once.
  baseMs: 500,
  factor: 2,
  // 30 s: past this a waiter still sees its place move through the HTTP fallback, so waiting longer costs nothing.
  capMs: 30_000,
  // 10 s: longer than any close the edge makes right after a hello (ticket refused, no such event, server error).
  stableMs: 10_000,
};

/** The delay before attempt `attempt` (0 for the first retry): uniform in [0, min(cap, base * factor^attempt)). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempt));
  return Math.floor(random() * step);
}

/** The attempt count after a connection closed: back to 0 if it stayed up long enough, else one more. */
export function nextAttempt(policy: BackoffPolicy, attempt: number, upForMs: number | null): number {
  return upForMs !== null && upForMs >= policy.stableMs ? 0 : attempt + 1;
}
