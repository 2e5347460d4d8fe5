import { assert } from '../assert.ts';
import { systemClock, type Clock } from '../clock.ts';
import { flushEntriesMax, flushPipelineEntriesMin } from '../constants.ts';
import { batchIsEmpty, emptyBatch, flushBatch, type Batch, type Queryable } from '../journal/flush.ts';
import type { JournalEntry, Outcome, SnapshotState } from '../inventory/types.ts';
import { batchSizeBuckets, flushLatencyBucketsMs, type WorkerStats } from './protocol.ts';
import type { SnapshotWriter } from './snapshot_writer.ts';

/**
 * Where a batch goes: resolves once it committed, rejects with FencedError
 * when a shard's epoch moved on, or with the database's error. The engine
 * writes to Postgres (`databaseFlushes`); the simulation to its own database,
 * with faults.
 */
export interface JournalFlushes {
  flush(batch: Batch): Promise<void>;
}

/** Flushes through `db`: a connection, or a pool that lends one per flush. */
export function databaseFlushes(db: Queryable): JournalFlushes {
  return { flush: (batch) => flushBatch(db, batch) };
}

/**
 * Deliberate bugs, for the simulation to prove it catches them
 * (engine/src/sim): `ackBeforeCommit` releases an answer as the actor gives
 * it; `releaseBeforeCommit` releases a flush's answers as soon as it is sent;
 * `releaseOutOfOrder` releases a flush's answers when it commits, even while
 * an earlier flush is in flight. No configuration sets one; the constructor
 * refuses them in production.
 */
export type GroupCommitBug = 'ackBeforeCommit' | 'releaseBeforeCommit' | 'releaseOutOfOrder';

export type GroupCommitOptions = {
  /** Timers and the latency clock: the system's unless simulated. */
  clock?: Clock;
  /** A flush starts beside one in flight only with this many entries waiting (default: constants.ts). */
  pipelineEntriesMin?: number;
  /** A small flush starts no sooner than this after the last began (default 0: at once; the engine's is `flushIntervalMs`, constants.ts). */
  intervalMs?: number;
  /** How often `drain` looks again. */
  drainPollMs?: number;
  plantedBug?: GroupCommitBug;
};

const latencyClock: Clock = { ...systemClock, now: () => performance.now() };

/** A flush begun and not yet released; `committed` once its transaction has. */
type Flush = { no: number; ids: number[]; outcomes: Outcome[]; committed: boolean };

/**
 * Group commit for one worker. Actors apply commands at once; their journal
 * entries and answers wait here. A flush starts as soon as the last one has
 * taken its batch and a connection is free, so up to one flush per connection
 * is in flight: Postgres then shares one WAL fsync among the commits that
 * arrive together, and a busy worker's throughput is no longer one batch per
 * commit latency. What piles up meanwhile goes in the next flush (natural
 * batching), so an idle worker still writes at once.
 *
 * Flushes may commit in any order; answers are released strictly in flush
 * order, each only once its own flush and every flush before it committed. So
 * an answer never reports state that is not durable, including reads and
 * idempotent replays of a pending write. If a flush fails, nothing after it is
 * ever released, and recovery cuts the journal at the gap it leaves
 * (journal/load.ts): a batch that committed after a missing one was never
 * acknowledged, so it is treated as never written.
 *
 * A failed flush is fatal (`onFatal`): the actors already moved past what is
 * durable, and only a rebuild from the journal can bring them back.
 */
export class GroupCommit {
  private batch: Batch = emptyBatch();
  private ids: number[] = [];
  private outcomes: Outcome[] = [];
  /** Flushes begun and not yet released, oldest first. */
  private readonly inFlight: Flush[] = [];
  /** Flushes running a statement now, at most `connections`. */
  private writing = 0;
  private scheduled = false;
  private dead = false;
  private nextNo = 1;
  private releasedNo = 0;
  private readonly clock: Clock;
  private readonly pipelineEntriesMin: number;
  private readonly intervalMs: number;
  /** When the last database flush began (`clock.now()`). */
  private lastFlushAt = -Infinity;
  private readonly drainPollMs: number;
  private readonly bug: GroupCommitBug | null;
  readonly stats: WorkerStats = {
    commands: 0,
    flushes: 0,
    flushedEntries: 0,
    flushLatency: new Array(flushLatencyBucketsMs.length + 1).fill(0),
    flushLatencySumMs: 0,
    batchSizes: new Array(batchSizeBuckets.length + 1).fill(0),
    mailboxDepth: 0,
    actors: 0,
  };

  /**
   * `flushes` writes up to `connections` batches at once (in the engine, a
   * pool of that many connections, opened as the load needs them).
   */
  constructor(
    private readonly flushes: JournalFlushes,
    private readonly connections: number,
    private readonly flushDelayMs: number,
    private readonly release: (ids: number[], outcomes: Outcome[]) => void,
    private readonly onFatal: (error: unknown) => void,
    private readonly snapshots: SnapshotWriter | null = null,
    options: GroupCommitOptions = {},
  ) {
    assert(connections > 0, 'group commit needs a connection');
    assert(options.plantedBug === undefined || process.env.NODE_ENV !== 'production', 'a planted bug in production');
    this.clock = options.clock ?? latencyClock;
    this.pipelineEntriesMin = options.pipelineEntriesMin ?? flushPipelineEntriesMin;
    this.intervalMs = options.intervalMs ?? 0;
    this.drainPollMs = options.drainPollMs ?? 1;
    this.bug = options.plantedBug ?? null;
  }

  /** Answers (and entries) waiting for a flush, or for an earlier flush to commit. */
  get depth(): number {
    let n = this.ids.length;
    for (const flush of this.inFlight) n += flush.ids.length;
    return n;
  }

  record(shard: number, epoch: number, entries: JournalEntry[]): void {
    if (entries.length === 0) return;
    this.fence(shard, epoch);
    for (const entry of entries) this.batch.rows.push({ shard, entry });
  }

  ticket(row: Batch['tickets'][number]): void {
    this.batch.tickets.push(row);
  }

  /**
   * Hands the state, taken now (the actor moves on), to the snapshot writer,
   * which encodes and writes it once the flush carrying its last entry, and
   * every flush before, has committed: the pending batch's, or the last one begun.
   */
  snapshot(eventId: string, shard: number, epoch: number, state: SnapshotState): void {
    assert(this.snapshots !== null, 'snapshots need a snapshot writer');
    const needs = batchIsEmpty(this.batch) && this.ids.length === 0 ? this.nextNo - 1 : this.nextNo;
    this.snapshots.add({ eventId, shard, epoch, seq: state.seq, state }, needs, this.releasedNo);
  }

  /**
   * A batch carries one epoch per shard. Entries of an earlier ownership must
   * never ride on a later epoch: they would pass the fence after the new owner
   * read the journal without them (found by the simulation, engine/src/sim).
   */
  private fence(shard: number, epoch: number): void {
    const current = this.batch.epochs.get(shard);
    assert(current === undefined || current === epoch, `shard ${shard}: entries of epoch ${epoch} and ${current} in one batch`);
    this.batch.epochs.set(shard, epoch);
  }

  answer(id: number, outcome: Outcome): void {
    if (this.bug === 'ackBeforeCommit') {
      this.stats.commands++;
      return this.release([id], [outcome]);
    }
    this.ids.push(id);
    this.outcomes.push(outcome);
    this.stats.commands++;
  }

  /**
   * Call after a burst of records and answers; starts a flush unless one is
   * about to start, or every connection carries one, or one does and fewer
   * than `flushPipelineEntriesMin` entries wait (a flush that returns calls
   * this again). Answers with no entries need no connection.
   */
  schedule(): void {
    if (this.scheduled || this.dead) return;
    const empty = batchIsEmpty(this.batch);
    if (empty && this.ids.length === 0) return;
    if (!empty && this.writing >= this.connections) return;
    if (!empty && this.writing > 0 && this.batch.rows.length < this.pipelineEntriesMin) return;
    this.scheduled = true;
    const full = this.batch.rows.length >= flushEntriesMax;
    let delayMs = this.flushDelayMs > 0 && !full ? this.flushDelayMs : 0;
    // Busy (a flush began lately) and the batch is small: let it grow, up to `intervalMs` after that flush began.
    if (delayMs === 0 && !empty && this.batch.rows.length < this.pipelineEntriesMin) {
      const waitMs = this.lastFlushAt + this.intervalMs - this.clock.now();
      if (waitMs > 0) delayMs = Math.ceil(waitMs);
    }
    this.clock.after(delayMs, this.flush);
  }

  /** Resolves once everything recorded so far is durable and answered, snapshots included. */
  async drain(): Promise<void> {
    while (this.scheduled || this.inFlight.length > 0 || this.ids.length > 0 || !batchIsEmpty(this.batch) || this.snapshots?.busy) {
      if (this.dead) return;
      this.schedule();
      await new Promise<void>((resolve) => this.clock.after(this.drainPollMs, resolve));
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.dead) return;
    // Scheduled for answers alone while every connection was busy, and entries
    // came since: they wait for a connection; the flush that frees one
    // schedules again (found by the simulation: the assertion below fired).
    if (!batchIsEmpty(this.batch) && this.writing >= this.connections) return;
    const batch = this.batch;
    const flush: Flush = { no: this.nextNo++, ids: this.ids, outcomes: this.outcomes, committed: false };
    this.batch = emptyBatch();
    this.ids = [];
    this.outcomes = [];
    this.inFlight.push(flush);
    if (batchIsEmpty(batch)) {
      flush.committed = true;
      this.releaseInOrder();
      return;
    }
    assert(this.writing < this.connections, 'a flush began with no free connection');
    this.writing++;
    const startedAt = this.clock.now();
    this.lastFlushAt = startedAt;
    this.flushes.flush(batch).then(
      () => {
        this.writing--;
        this.observe(batch.rows.length, this.clock.now() - startedAt);
        flush.committed = true;
        if (this.bug === 'releaseOutOfOrder') this.releaseNow(flush);
        this.releaseInOrder();
        this.schedule();
      },
      (error: unknown) => {
        this.dead = true;
        this.onFatal(error);
      },
    );
    if (this.bug === 'releaseBeforeCommit') this.releaseNow(flush);
    // More may be waiting already, and another connection may be free.
    this.schedule();
  };

  /** Releases the answers of every committed flush not preceded by one still in flight. */
  private releaseInOrder(): void {
    const inFlight = this.inFlight;
    while (inFlight.length > 0 && inFlight[0]!.committed) {
      const flush = inFlight.shift()!;
      this.releasedNo = flush.no;
      if (flush.ids.length > 0) this.release(flush.ids, flush.outcomes);
    }
    this.snapshots?.released(this.releasedNo);
  }

  /** Only for the planted bugs: the answers of `flush` leave now, whatever came before. */
  private releaseNow(flush: Flush): void {
    if (flush.ids.length > 0) this.release(flush.ids, flush.outcomes);
    flush.ids = [];
    flush.outcomes = [];
  }

  private observe(entries: number, ms: number): void {
    const s = this.stats;
    s.flushes++;
    s.flushedEntries += entries;
    s.flushLatencySumMs += ms;
    s.flushLatency[bucketOf(flushLatencyBucketsMs, ms)]!++;
    s.batchSizes[bucketOf(batchSizeBuckets, entries)]!++;
  }
}

function bucketOf(bounds: number[], value: number): number {
  for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) return i;
  return bounds.length;
}
