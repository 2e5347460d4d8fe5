import type { Db } from '../db/pool.ts';
import type { JournalBody, JournalEntry, SnapshotState } from '../inventory/types.ts';

/** The latest snapshot of an event, if it has one. */
export async function selectSnapshot(db: Db, eventId: string): Promise<SnapshotState | null> {
  const { rows } = await db.query<{ state: SnapshotState }>('SELECT state FROM inventory_snapshots WHERE event_id = $1', [eventId]);
  return rows[0]?.state ?? null;
}

/** The journal of an event after `seq`, in order: what recovery replays on top of the snapshot. */
export async function selectJournalAfter(db: Db, eventId: string, seq: number): Promise<JournalEntry[]> {
  const { rows } = await db.query<{ seq: number; body: JournalBody }>(
    'SELECT seq, body FROM inventory_journal WHERE event_id = $1 AND seq > $2 ORDER BY seq',
    [eventId, seq],
  );
  return rows.map((r) => ({ eventId, seq: r.seq, body: r.body }));
}

/** What the journal says about one hold, newest last: for holds no longer in memory. */
export async function selectHoldJournal(db: Db, holdId: string): Promise<{ eventId: string; body: JournalBody }[]> {
  const { rows } = await db.query<{ event_id: string; body: JournalBody }>(
    'SELECT event_id, body FROM inventory_journal WHERE hold_id = $1 ORDER BY seq',
    [holdId],
  );
  return rows.map((r) => ({ eventId: r.event_id, body: r.body }));
}
