import type { SnapshotState } from '../inventory/types.ts';
import { snapshotChunkItems, snapshotPieces } from '../journal/codec.ts';
import type { Queryable } from '../journal/flush.ts';
import { writeSnapshot, type SnapshotRow } from '../journal/snapshot_write.ts';

/** A snapshot as taken: the state, not yet encoded. */
export type TakenSnapshot = Omit<SnapshotRow, 'state'> & { state: SnapshotState };

/** Gives the event loop a turn: flushes, answers and commands run between two pieces of a snapshot. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Encodes a snapshot a chunk at a time, yielding the event loop after every
 * `chunkItems` items, so a large snapshot costs the worker one chunk's encoding
 * at a time rather than all of it at once (a snapshot of 100k holds took
 * ~0.5 s, in one piece, on the worker's thread). `stop` ends it early.
 */
export async function encodeInTurns(state: SnapshotState, stop: () => boolean = () => false, chunkItems = snapshotChunkItems): Promise<Buffer | null> {
  const bytes: Buffer[] = [];
  let items = 0;
  for (const piece of snapshotPieces(state, chunkItems)) {
    bytes.push(piece.bytes);
    items += piece.items;
    if (items >= chunkItems) {
      items = 0;
      await nextTurn();
      if (stop()) return null;
    }
  }
  return Buffer.concat(bytes);
}

/**
 * Writes snapshots on a connection of their own, one at a time, so a large
 * snapshot never sits inside a journal flush and never stalls the flushes
 * behind it; and encodes them there, across event-loop turns
 * (`encodeInTurns`), so neither does its encoding.
 *
 * A snapshot may be written only once every journal entry it covers has
 * committed: recovery reads the journal after the snapshot's seq, and stops at
 * the first gap (journal/load.ts), so a snapshot ahead of a missing batch would
 * bring back effects that never became durable. So each waits for the flush
 * that carries its last entry (`needs`), which GroupCommit reports in order
 * (`released`). When several snapshots of one event are ready, only the
 * latest is encoded and written.
 *
 * The state is taken when the actor is at the snapshot's seq (toSnapshot
 * copies what changes; holds never change), so encoding it later writes the
 * image of that seq.
 */
export class SnapshotWriter {
  private waiting: { needs: number; row: TakenSnapshot }[] = [];
  private readonly ready = new Map<string, TakenSnapshot>();
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

  add(row: TakenSnapshot, needs: number, releasedNo: number): void {
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
    this.write(row).then(
      (wrote) => {
        if (wrote) this.written++;
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

  private async write(row: TakenSnapshot): Promise<boolean> {
    const state = await encodeInTurns(row.state, () => this.dead);
    if (state === null) return false;
    await writeSnapshot(this.client, { ...row, state });
    return true;
  }
}
