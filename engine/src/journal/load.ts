import type { Db } from '../db/pool.ts';
import type { JournalEntry, SnapshotState } from '../inventory/types.ts';
import { decodeEntries, decodeSnapshot } from './codec.ts';

/** The latest snapshot of an event, if it has one. */
export async function selectSnapshot(db: Db, eventId: string): Promise<SnapshotState | null> {
  const { rows } = await db.query<{ state: Buffer }>('SELECT state FROM inventory_snapshots WHERE event_id = $1', [eventId]);
  return rows[0] ? decodeSnapshot(rows[0].state) : null;
}

/** The journal of an event after `seq`, in order: what recovery replays on top of the snapshot. */
export async function selectJournalAfter(db: Db, eventId: string, seq: number): Promise<JournalEntry[]> {
  const { rows } = await db.query<{ entries: Buffer }>(
    'SELECT entries FROM inventory_journal WHERE event_id = $1 AND seq_to > $2 ORDER BY seq_from',
    [eventId, seq],
  );
  return rows.flatMap((r) => decodeEntries(eventId, r.entries)).filter((e) => e.seq > seq);
}
