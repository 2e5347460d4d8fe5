import type { LeaseKeeperBug } from '../leases/lease_keeper.ts';
import type { GroupCommitBug } from '../worker/group_commit.ts';
import { Random } from './random.ts';

/**
 * The simulation's kernel: a virtual clock in milliseconds and one event queue.
 * Every message, timer and fault is an event; one step runs one event. Events
 * at the same time run in the order they were scheduled, so a run depends on
 * the seed alone. The components (lease store, database, nodes, clients) live
 * in their own files and talk only through `schedule`.
 */

/** How often each fault strikes. Rates are per opportunity (a message, a flush) or per fault tick. */
export type Faults = {
  /** A lease request or its reply is lost. */
  leaseLost: number;
  /** A lease request or reply is late, up to two lease lifetimes. */
  leaseLate: number;
  /** Redis loses every lease (restart without persistence, failover to an empty replica). */
  redisFlush: number;
  /** A flush takes a long time to commit (lock wait, slow disk). */
  flushSlow: number;
  /** A flush fails without committing. */
  flushFailed: number;
  /** A flush commits but its reply is lost: the node cannot tell it from a failure. */
  flushReplyLost: number;
  /** The database restarts: whatever it has not committed fails. */
  dbRestart: number;
  /** A node stops for a while (GC, SIGSTOP) and resumes with stale beliefs. */
  pause: number;
  /** A node crashes, losing its memory, and restarts later. */
  crash: number;
  /** Clients go quiet while time jumps ahead, so holds expire. */
  clockJump: number;
};

export const noFaults: Faults = {
  leaseLost: 0, leaseLate: 0, redisFlush: 0, flushSlow: 0, flushFailed: 0, flushReplyLost: 0, dbRestart: 0, pause: 0, crash: 0, clockJump: 0,
};

export const defaultFaults: Faults = {
  leaseLost: 0.05,
  leaseLate: 0.03,
  redisFlush: 0.01,
  flushSlow: 0.05,
  flushFailed: 0.01,
  flushReplyLost: 0.01,
  dbRestart: 0.005,
  pause: 0.02,
  crash: 0.01,
  clockJump: 0.02,
};

/**
 * Deliberately broken protocols, to prove the checker can fail. In the
 * simulated parts: `fencing: false` makes a flush ignore epochs;
 * `retakeBeforeDrain: true` makes the worker's `disown` skip its drain, so a
 * node takes a shard back while rows of its previous ownership still wait to
 * flush; `keepPastGap: true` makes recovery stop at a gap but leave the
 * batches committed after it in place. In the engine's own classes, the bugs
 * they carry for this purpose: `groupCommitBug` (worker/group_commit.ts) and
 * `leaseKeeperBug` (leases/lease_keeper.ts).
 */
export type Variant = {
  fencing: boolean;
  retakeBeforeDrain: boolean;
  keepPastGap: boolean;
  groupCommitBug: GroupCommitBug | null;
  leaseKeeperBug: LeaseKeeperBug | null;
};
export const correct: Variant = { fencing: true, retakeBeforeDrain: false, keepPastGap: false, groupCommitBug: null, leaseKeeperBug: null };

/** Counters that make up the summary; equal for equal seeds. */
export type Stats = {
  commits: number;
  committedEntries: number;
  refusals: number;
  fencedFlushes: number;
  failedFlushes: number;
  failovers: number;
  acknowledged: number;
  leasesLost: number;
  /** Faults injected, by kind. */
  faults: Record<keyof Faults, number>;
  /** Flushes that committed while an earlier flush of the same node was still in flight. */
  outOfOrderCommits: number;
  /** Entries recovery cut because they followed a gap. */
  cutEntries: number;
  /** Flushes that committed after the worker that sent them died (a failed flush before them, or a crash). */
  commitsAfterDeath: number;
};

export function emptyStats(): Stats {
  return {
    commits: 0, committedEntries: 0, refusals: 0, fencedFlushes: 0, failedFlushes: 0, failovers: 0, acknowledged: 0,
    leasesLost: 0, faults: { ...noFaults }, outOfOrderCommits: 0, cutEntries: 0, commitsAfterDeath: 0,
  };
}

/** A binary min-heap of events by (time, order): the order breaks ties by scheduling order. */
class EventQueue {
  private at: number[] = [];
  private order: number[] = [];
  private runs: (() => void)[] = [];
  private counter = 0;

  get size(): number {
    return this.at.length;
  }

  push(at: number, run: () => void): void {
    let i = this.at.length;
    this.at.push(at);
    this.order.push(this.counter++);
    this.runs.push(run);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the earliest event; returns its time, or -1 when none is left. */
  pop(out: { run: () => void }): number {
    const n = this.at.length;
    if (n === 0) return -1;
    const at = this.at[0]!;
    out.run = this.runs[0]!;
    this.swap(0, n - 1);
    this.at.pop();
    this.order.pop();
    this.runs.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n - 1 && this.less(l, m)) m = l;
      if (r < n - 1 && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return at;
  }

  private less(i: number, j: number): boolean {
    const a = this.at[i]!;
    const b = this.at[j]!;
    return a < b || (a === b && this.order[i]! < this.order[j]!);
  }

  /** Plain assignments: a destructuring swap allocates, and this runs several times per event. */
  private swap(i: number, j: number): void {
    const at = this.at[i]!;
    this.at[i] = this.at[j]!;
    this.at[j] = at;
    const order = this.order[i]!;
    this.order[i] = this.order[j]!;
    this.order[j] = order;
    const run = this.runs[i]!;
    this.runs[i] = this.runs[j]!;
    this.runs[j] = run;
  }
}

export class World {
  now = 0;
  readonly rng: Random;
  readonly stats = emptyStats();
  /** Clients send nothing before this time: a clock jump, as seen by the system. */
  quietUntil = 0;
  /** Set by every node event: promises may have settled, so the run lets their continuations run before the next step. */
  touched = false;
  /** The first broken invariant met where it cannot be thrown at once (inside a promise continuation). */
  failure: Error | null = null;
  private readonly queue = new EventQueue();
  private readonly slot = { run: (): void => {} };

  constructor(
    readonly seed: number,
    readonly faults: Faults,
    readonly variant: Variant,
    /** Null unless verbose: callers test it before building a message. */
    readonly log: ((line: string) => void) | null,
  ) {
    this.rng = new Random(seed);
  }

  schedule(delayMs: number, run: () => void): void {
    this.queue.push(this.now + Math.max(0, delayMs), run);
  }

  /** Runs the next event; false when nothing is left to happen. */
  step(): boolean {
    const at = this.queue.pop(this.slot);
    if (at < 0) return false;
    this.now = at;
    this.slot.run();
    return true;
  }

  /** One network hop inside the data centre: mostly a millisecond or two, now and then a stall. */
  hopMs(): number {
    return this.rng.chance(0.02) ? this.rng.int(20, 300) : this.rng.int(1, 3);
  }

  /** Counts an injected fault of `kind`; returns true, for `if (rng.chance(p) && world.inject(kind))`. */
  inject(kind: keyof Faults): true {
    this.stats.faults[kind]++;
    return true;
  }

  say(line: string): void {
    this.log?.(`${String(this.now).padStart(7)}ms ${line}`);
  }
}

/** How a node's code runs: as events of its incarnation (dropped once it crashed, held while it is paused). */
export interface NodeEvents {
  later(delayMs: number, fn: () => void): void;
  bind<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
}
