/**
 * A waiter's own place in a drop's queue, computed in the browser from the
 * latest tick (one message per drop for everyone) and its queue ticket. Pure:
 * the clock is an argument, so tests and the page agree on every number.
 */

export type QueueState = 'closed' | 'waiting' | 'open' | 'all_held' | 'paused' | 'sold_out';

/** A tick as the edge sends it (HTTP status and WebSocket), times as ISO strings or epoch ms. */
export type QueueTick = {
  state: QueueState;
  /** Every place at or below the head is admitted. */
  head: number;
  placed: number;
  joined: number;
  drawn: boolean;
  stockLeft: number;
  /** Milliseconds each place ahead adds to a wait; null when the head is not moving. */
  msPerPlace: number | null;
  ratePerMinute: number;
  saleStartsAt: string | number | null;
  at: string | number;
};

export type Phase =
  /** Joined before the lottery: no place until sale start. */
  | 'drawing'
  | 'queued'
  | 'admitted'
  | 'paused'
  | 'sold_out'
  /** Everything left is held by people ahead; places may still come free when holds lapse. */
  | 'all_held'
  | 'closed';

export type Position = {
  phase: Phase;
  place: number | null;
  /** People still waiting in front (not yet admitted). */
  ahead: number | null;
  /** Estimated milliseconds until admission (or until the draw), null when it cannot be told. */
  etaMs: number | null;
  /** 0..1, how much of the way from where this waiter started to admission is done. */
  progress: number;
};

export function epochMs(t: string | number | null): number | null {
  if (t === null) return null;
  return typeof t === 'number' ? t : Date.parse(t);
}

/**
 * `startHead` is the head when this waiter got its place (from the join
 * answer), so the progress bar starts empty for a late arrival too.
 */
export function position(tick: QueueTick, place: number | null, nowMs: number, startHead = 0): Position {
  if (tick.state === 'sold_out') return { phase: 'sold_out', place, ahead: null, etaMs: null, progress: place !== null && place <= tick.head ? 1 : 0 };
  if (place === null) {
    const sale = epochMs(tick.saleStartsAt);
    return { phase: 'drawing', place, ahead: null, etaMs: sale === null ? null : Math.max(0, sale - nowMs), progress: 0 };
  }
  if (place <= tick.head) {
    // Admission is refused while paused, even behind the head: say paused, not "your turn".
    return { phase: tick.state === 'paused' ? 'paused' : 'admitted', place, ahead: 0, etaMs: 0, progress: 1 };
  }
  const ahead = place - tick.head - 1;
  // Full at "you are next" (head one below the place), empty where this waiter started.
  const start = Math.min(startHead, tick.head);
  const span = place - 1 - start;
  const progress = span <= 0 ? 1 : clamp01((tick.head - start) / span);
  const phase: Phase = tick.state === 'paused' ? 'paused' : tick.state === 'all_held' ? 'all_held' : tick.state === 'closed' ? 'closed' : 'queued';
  let etaMs: number | null = null;
  if (phase === 'queued' && tick.msPerPlace !== null && tick.msPerPlace > 0) {
    // The tick is a snapshot: the time since it was taken has already been waited.
    const since = Math.max(0, nowMs - (epochMs(tick.at) ?? nowMs));
    etaMs = Math.max(0, (place - tick.head) * tick.msPerPlace - since);
  }
  return { phase, place, ahead, etaMs, progress };
}

/** Milliseconds until sale start, or null once it has passed (or when the drop has no start). */
export function saleOpensInMs(tick: Pick<QueueTick, 'saleStartsAt'>, nowMs: number): number | null {
  const sale = epochMs(tick.saleStartsAt);
  return sale === null || sale <= nowMs ? null : sale - nowMs;
}

/** Waiters not yet let in: everyone who joined (placed or not) minus the places the head has passed. */
export function waitingCount(tick: Pick<QueueTick, 'state' | 'joined' | 'placed' | 'head'>): number {
  if (tick.state === 'closed' || tick.state === 'sold_out') return 0;
  return Math.max(0, tick.joined - Math.min(tick.head, tick.placed));
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** A tick from any message the edge may send: the status itself, or wrapped as `{ queue }` / `{ status }`. Null when it is not one. */
export function tickOf(message: unknown): QueueTick | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  for (const candidate of [m, m.queue, m.status, m.data]) {
    if (typeof candidate === 'object' && candidate !== null) {
      const c = candidate as Record<string, unknown>;
      if (typeof c.state === 'string' && typeof c.head === 'number') return c as unknown as QueueTick;
    }
  }
  return null;
}
