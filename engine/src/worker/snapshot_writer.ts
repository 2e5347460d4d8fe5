import type { Queryable } from '../journal/flush.ts';
import { writeSnapshot, type SnapshotRow } from '../journal/snapshot_write.ts';

/**
 * Writes snapshots on a connection of their own, one at a time, so a large
 * snapshot never sits inside a journal flush and never stalls the flushes
 * behind it.
 *
 * A snapshot may be written only once every journal entry it covers has
 * committed: recovery reads the journal after the snapshot's seq, and stops at
 * the first gap (journal/load.ts), so a snapshot ahead of a missing batch would
 * bring back effects that never became durable. So each waits for the flush
 * that carries its last entry (`needs`), which GroupCommit reports in order
 * (`released`). When several snapshots of one event are ready, only the
 * latest is written.
 */
export class SnapshotWriter {
  private waiting: { needs: number; row: SnapshotRow }[] = [];
  private readonly ready = new Map<string, SnapshotRow>();
  private writing = false;
  private dead = false;
  written = 0;

  constructor(
    private readonly client: Queryable,
    private readonly onFatal: (error: unknown) => void,
  ) {}

  get busy(): boolean {
    return !this.dead && (this.writing || this.ready.size > 0 || this.waiting.length > 0);
  }

  add(row: SnapshotRow, needs: number, releasedNo: number): void {
    this.waiting.push({ needs, row });
    this.released(releasedNo);
  }

  /** Every flush up to `no` has committed, and every one before it. */
  released(no: number): void {
    if (this.waiting.length === 0) return;
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (w.needs > no) still.push(w);
      else if ((this.ready.get(w.row.eventId)?.seq ?? -1) < w.row.seq) this.ready.set(w.row.eventId, w.row);
    }
    this.waiting = still;
    this.next();
  }

  private next(): void {
    if (this.writing || this.dead || this.ready.size === 0) return;
    const [eventId, row] = this.ready.entries().next().value!;
    this.ready.delete(eventId);
    this.writing = true;
    writeSnapshot(this.client, row).then(
      () => {
        this.written++;
        this.writing = false;
        this.next();
      },
      (error: unknown) => {
        // Like a failed flush: a fenced write means another owner took over.
        this.dead = true;
        this.onFatal(error);
      },
    );
  }
}
