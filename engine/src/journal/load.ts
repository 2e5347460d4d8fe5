import type { Db } from '../db/pool.ts';
import type { JournalEntry, SnapshotState } from '../inventory/types.ts';
import { decodeEntries, decodeSnapshot } from './codec.ts';
import { FencedError, fenceCtes } from './flush.ts';

/** The latest snapshot of an event, if it has one. */
export async function selectSnapshot(db: Db, eventId: string): Promise<SnapshotState | null> {
  const { rows } = await db.query<{ state: Buffer }>('SELECT state FROM inventory_snapshots WHERE event_id = $1', [eventId]);
  return rows[0] ? decodeSnapshot(rows[0].state) : null;
}

type JournalRowRead = { seq_from: number; seq_to: number; entries: Buffer };

async function selectRowsAfter(db: Db, eventId: string, seq: number): Promise<JournalRowRead[]> {
  const { rows } = await db.query<JournalRowRead>(
    'SELECT seq_from, seq_to, entries FROM inventory_journal WHERE event_id = $1 AND seq_to > $2 ORDER BY seq_from',
    [eventId, seq],
  );
  return rows;
}

/** The journal of an event after `seq`, in order, every row (gaps included): for tests and inspection. */
export async function selectJournalAfter(db: Db, eventId: string, seq: number): Promise<JournalEntry[]> {
  const rows = await selectRowsAfter(db, eventId, seq);
  return rows.flatMap((r) => decodeEntries(eventId, r.entries)).filter((e) => e.seq > seq);
}

/** Where the journal after `seq` stops being one unbroken history: the rows before the first gap, and those after. */
export function cutAtGap(rows: JournalRowRead[], seq: number): { kept: JournalRowRead[]; orphans: JournalRowRead[] } {
  let expected = seq + 1;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.seq_from > expected) return { kept: rows.slice(0, i), orphans: rows.slice(i) };
    expected = Math.max(expected, row.seq_to + 1);
  }
  return { kept: rows, orphans: [] };
}

/*
 * Fenced like a flush: only the shard's current owner may cut its journal,
 * so a stale owner can never delete what the new one wrote after its own cut.
 */
const truncateSql = `
WITH ${fenceCtes}, journal AS (
  DELETE FROM inventory_journal WHERE event_id = $3 AND seq_from >= $4 AND (SELECT ok FROM ok) RETURNING 1
), tickets AS (
  DELETE FROM tickets WHERE id = ANY($5::uuid[]) AND (SELECT ok FROM ok) RETURNING 1
)
SELECT (SELECT ok FROM ok) AS ok, (SELECT count(*) FROM journal)::int AS deleted`;

export type Recovered = { snapshot: SnapshotState | null; tail: JournalEntry[]; truncatedEntries: number };

/**
 * What an actor is rebuilt from: its latest snapshot and the journal after
 * it, up to the first gap. Flushes may commit out of order (GroupCommit keeps
 * several in flight), so a worker that died with one flush failed or cut off
 * may leave later batches committed behind a missing one. Their answers were
 * never released (answers leave in flush order), so they are treated as never
 * written: deleted, with the tickets of the confirmations in them, before the
 * new owner writes the same seqs again. The caller owns `shard` at `epoch`
 * and has raised it, so no older owner can commit after this read.
 */
export async function recoverEvent(db: Db, eventId: string, shard: number, epoch: number): Promise<Recovered> {
  const snapshot = await selectSnapshot(db, eventId);
  const seq = snapshot?.seq ?? 0;
  const { kept, orphans } = cutAtGap(await selectRowsAfter(db, eventId, seq), seq);
  const tail = kept.flatMap((r) => decodeEntries(eventId, r.entries)).filter((e) => e.seq > seq);
  if (orphans.length === 0) return { snapshot, tail, truncatedEntries: 0 };
  const dropped = orphans.flatMap((r) => decodeEntries(eventId, r.entries));
  const ticketIds = dropped.flatMap((e) => (e.body.kind === 'hold_confirmed' ? e.body.ticketIds : []));
  const { rows } = await db.query<{ ok: boolean; deleted: number }>(truncateSql, [[shard], [epoch], eventId, orphans[0]!.seq_from, ticketIds]);
  if (!rows[0]!.ok) throw new FencedError([shard]);
  return { snapshot, tail, truncatedEntries: dropped.length };
}
