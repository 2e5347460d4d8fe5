import type { Db } from '../db/pool.ts';
import { decodeEntries, encodeEntries } from '../journal/codec.ts';
import type { JournalEntry } from '../inventory/types.ts';

/** Every journal entry of an event, decoded, in seq order. */
export async function readJournal(db: Db, eventId: string): Promise<JournalEntry[]> {
  const { rows } = await db.query<{ entries: Buffer }>('SELECT entries FROM inventory_journal WHERE event_id = $1 ORDER BY seq_from', [eventId]);
  return rows.flatMap((r) => decodeEntries(eventId, r.entries));
}

/** Rewrites an event's journal in place (tests only: to simulate time passing while a node is down). */
export async function rewriteJournal(db: Db, eventId: string, change: (entry: JournalEntry) => JournalEntry): Promise<void> {
  const { rows } = await db.query<{ seq_from: number; entries: Buffer }>('SELECT seq_from, entries FROM inventory_journal WHERE event_id = $1', [eventId]);
  for (const row of rows) {
    const entries = decodeEntries(eventId, row.entries).map(change);
    await db.query('UPDATE inventory_journal SET entries = $3 WHERE event_id = $1 AND seq_from = $2', [eventId, row.seq_from, encodeEntries(entries)]);
  }
}
