import type pg from 'pg';
import { assert } from '../assert.ts';
import { flushEntriesMax } from '../constants.ts';
import { encodeSnapshot } from '../journal/codec.ts';
import { batchIsEmpty, emptyBatch, flushBatch, type Batch } from '../journal/flush.ts';
import type { JournalEntry, Outcome, SnapshotState } from '../inventory/types.ts';
import { batchSizeBuckets, flushLatencyBucketsMs, type WorkerStats } from './protocol.ts';

/**
 * Group commit for one worker. Actors apply commands at once; their journal
 * entries and answers wait here. One flush runs at a time: when it returns,
 * everything that piled up meanwhile goes in the next one (natural batching),
 * so a busy worker writes big batches and an idle one writes at once.
 *
 * Answers leave only after the flush that carries their batch commits, and
 * batches commit in order, so an answer never reports state that is not
 * durable, including reads and idempotent replays of a pending write.
 *
 * A failed flush is fatal (`onFatal`): the actors already moved past what is
 * durable, and only a rebuild from the journal can bring them back.
 */
export class GroupCommit {
  private batch: Batch = emptyBatch();
  private ids: number[] = [];
  private outcomes: Outcome[] = [];
  private flushing = false;
  private dead = false;
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

  constructor(
    private readonly client: pg.ClientBase,
    private readonly flushDelayMs: number,
    private readonly release: (ids: number[], outcomes: Outcome[]) => void,
    private readonly onFatal: (error: unknown) => void,
  ) {}

  /** Answers (and entries) waiting for a flush. */
  get depth(): number {
    return this.ids.length;
  }

  record(shard: number, epoch: number, entries: JournalEntry[]): void {
    if (entries.length === 0) return;
    this.fence(shard, epoch);
    for (const entry of entries) this.batch.rows.push({ shard, entry });
  }

  ticket(row: Batch['tickets'][number]): void {
    this.batch.tickets.push(row);
  }

  snapshot(eventId: string, shard: number, epoch: number, state: SnapshotState): void {
    this.fence(shard, epoch);
    this.batch.snapshots.push({ eventId, shard, seq: state.seq, state: encodeSnapshot(state) });
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

  /** Call after a burst of records and answers; starts a flush unless one is running. */
  schedule(): void {
    if (this.flushing || this.dead) return;
    if (this.ids.length === 0 && batchIsEmpty(this.batch)) return;
    this.flushing = true;
    const full = this.batch.rows.length >= flushEntriesMax;
    if (this.flushDelayMs > 0 && !full) setTimeout(() => void this.flush(), this.flushDelayMs);
    else setImmediate(() => void this.flush());
  }

  /** Resolves once everything recorded so far is durable and answered. */
  async drain(): Promise<void> {
    while (this.flushing || this.ids.length > 0 || !batchIsEmpty(this.batch)) {
      if (this.dead) return;
      this.schedule();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    const ids = this.ids;
    const outcomes = this.outcomes;
    this.batch = emptyBatch();
    this.ids = [];
    this.outcomes = [];
    if (!batchIsEmpty(batch)) {
      const startedAt = performance.now();
      try {
        await flushBatch(this.client, batch);
      } catch (error) {
        this.dead = true;
        this.onFatal(error);
        return;
      }
      this.observe(batch.rows.length, performance.now() - startedAt);
    }
    if (ids.length > 0) this.release(ids, outcomes);
    this.flushing = false;
    this.schedule();
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
