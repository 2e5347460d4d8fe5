import { assert } from '../assert.ts';
import { flushEntriesMax, flushPipelineEntriesMin } from '../constants.ts';
import { encodeSnapshot } from '../journal/codec.ts';
import { batchIsEmpty, emptyBatch, flushBatch, type Batch, type Queryable } from '../journal/flush.ts';
import type { JournalEntry, Outcome, SnapshotState } from '../inventory/types.ts';
import { batchSizeBuckets, flushLatencyBucketsMs, type WorkerStats } from './protocol.ts';
import type { SnapshotWriter } from './snapshot_writer.ts';

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
   * `db` lends a connection per flush (a pool of `connections`, opened as the
   * load needs them), or is one connection (`connections` 1).
   */
  constructor(
    private readonly db: Queryable,
    private readonly connections: number,
    private readonly flushDelayMs: number,
    private readonly release: (ids: number[], outcomes: Outcome[]) => void,
    private readonly onFatal: (error: unknown) => void,
    private readonly snapshots: SnapshotWriter | null = null,
  ) {
    assert(connections > 0, 'group commit needs a connection');
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
   * Encodes the state now (the actor moves on) and hands it to the snapshot
   * writer, which writes it once the flush carrying its last entry, and every
   * flush before, has committed: the pending batch's, or the last one begun.
   */
  snapshot(eventId: string, shard: number, epoch: number, state: SnapshotState): void {
    assert(this.snapshots !== null, 'snapshots need a snapshot writer');
    const needs = batchIsEmpty(this.batch) && this.ids.length === 0 ? this.nextNo - 1 : this.nextNo;
    this.snapshots.add({ eventId, shard, epoch, seq: state.seq, state: encodeSnapshot(state) }, needs, this.releasedNo);
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
    if (!empty && this.writing > 0 && this.batch.rows.length < flushPipelineEntriesMin) return;
    this.scheduled = true;
    const full = this.batch.rows.length >= flushEntriesMax;
    if (this.flushDelayMs > 0 && !full) setTimeout(this.flush, this.flushDelayMs);
    else setImmediate(this.flush);
  }

  /** Resolves once everything recorded so far is durable and answered, snapshots included. */
  async drain(): Promise<void> {
    while (this.scheduled || this.inFlight.length > 0 || this.ids.length > 0 || !batchIsEmpty(this.batch) || this.snapshots?.busy) {
      if (this.dead) return;
      this.schedule();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.dead) return;
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
    const startedAt = performance.now();
    flushBatch(this.db, batch).then(
      () => {
        this.writing--;
        this.observe(batch.rows.length, performance.now() - startedAt);
        flush.committed = true;
        this.releaseInOrder();
        this.schedule();
      },
      (error: unknown) => {
        this.dead = true;
        this.onFatal(error);
      },
    );
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
