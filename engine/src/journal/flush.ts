import type pg from 'pg';
import type { JournalEntry, SnapshotState } from '../inventory/types.ts';

/** One worker's pending writes: everything its actors changed since the last flush. */
export type Batch = {
  /** Epoch this worker holds for each shard that has entries in the batch. */
  epochs: Map<number, number>;
  rows: JournalRow[];
  tickets: TicketRow[];
  snapshots: SnapshotRow[];
};

export type JournalRow = { shard: number; entry: JournalEntry };
export type TicketRow = { id: string; eventId: string; typeId: string; holdId: string; buyerId: string; price: number; currency: string };
export type SnapshotRow = { eventId: string; shard: number; state: SnapshotState };

export function emptyBatch(): Batch {
  return { epochs: new Map(), rows: [], tickets: [], snapshots: [] };
}

export function batchIsEmpty(batch: Batch): boolean {
  return batch.rows.length === 0 && batch.snapshots.length === 0;
}

export class FencedError extends Error {
  override name = 'FencedError';
  constructor(readonly shards: number[]) {
    super(`journal flush refused: the epoch of shard(s) ${shards.join(', ')} moved on (another owner took over)`);
  }
}

/*
 * The whole batch is one statement, so one round trip and one commit: the
 * fence locks the shards' epoch rows FOR SHARE and counts those still at our
 * epoch; every insert is conditional on all of them matching. An epoch raise
 * (epochs.ts) conflicts with FOR SHARE, so it either waits for this commit or
 * makes the recheck fail and the flush write nothing.
 *
 * Rows travel as one JSON document per table: one parameter, parsed once by
 * Postgres, instead of a parameter per column per row.
 */
const flushSql = `
WITH fence AS (
  SELECT e.shard FROM shard_epochs e
  JOIN json_to_recordset($1::json) AS f(shard int, epoch bigint) ON e.shard = f.shard AND e.epoch = f.epoch
  FOR SHARE OF e -- serialises with an epoch raise (fencing)
), ok AS (
  SELECT count(*) = json_array_length($1::json) AS ok FROM fence
), journal AS (
  INSERT INTO inventory_journal (event_id, seq, shard, epoch, kind, hold_id, body)
  SELECT j.event_id, j.seq, j.shard, j.epoch, j.kind, j.hold_id, j.body
    FROM json_to_recordset($2::json) AS j(event_id uuid, seq bigint, shard int, epoch bigint, kind text, hold_id text, body jsonb)
   WHERE (SELECT ok FROM ok)
  RETURNING 1
), tickets AS (
  INSERT INTO tickets (id, event_id, type_id, hold_id, buyer_id, price, currency)
  SELECT t.id, t.event_id, t.type_id, t.hold_id, t.buyer_id, t.price, t.currency
    FROM json_to_recordset($3::json) AS t(id uuid, event_id uuid, type_id uuid, hold_id text, buyer_id uuid, price bigint, currency text)
   WHERE (SELECT ok FROM ok)
  RETURNING 1
), snapshots AS (
  INSERT INTO inventory_snapshots AS s (event_id, seq, epoch, state)
  SELECT n.event_id, n.seq, n.epoch, n.state
    FROM json_to_recordset($4::json) AS n(event_id uuid, seq bigint, epoch bigint, state jsonb)
   WHERE (SELECT ok FROM ok)
  ON CONFLICT (event_id) DO UPDATE SET seq = excluded.seq, epoch = excluded.epoch, state = excluded.state, taken_at = now()
   WHERE s.seq < excluded.seq
  RETURNING 1
)
SELECT (SELECT ok FROM ok) AS ok,
       (SELECT count(*) FROM journal)::int AS journaled,
       (SELECT count(*) FROM tickets)::int AS ticketed`;

function holdIdOf(entry: JournalEntry): string | null {
  const body = entry.body;
  switch (body.kind) {
    case 'hold_placed':
      return body.hold.holdId;
    case 'hold_released':
    case 'hold_confirmed':
      return body.holdId;
    case 'capacity_changed':
      return null;
  }
}

/**
 * Writes a batch durably or not at all. Throws FencedError when any of its
 * shards changed owner; any other error is the database's. Either way the
 * caller must treat its in-memory state as ahead of the truth.
 */
export async function flushBatch(client: pg.ClientBase, batch: Batch): Promise<void> {
  const fence = [...batch.epochs].map(([shard, epoch]) => ({ shard, epoch }));
  const journal = batch.rows.map(({ shard, entry }) => ({
    event_id: entry.eventId,
    seq: entry.seq,
    shard,
    epoch: batch.epochs.get(shard),
    kind: entry.body.kind,
    hold_id: holdIdOf(entry),
    body: entry.body,
  }));
  const tickets = batch.tickets.map((t) => ({
    id: t.id, event_id: t.eventId, type_id: t.typeId, hold_id: t.holdId, buyer_id: t.buyerId, price: t.price, currency: t.currency,
  }));
  const snapshots = batch.snapshots.map((s) => ({ event_id: s.eventId, seq: s.state.seq, epoch: batch.epochs.get(s.shard), state: s.state }));
  const result = await client.query<{ ok: boolean; journaled: number; ticketed: number }>({
    name: 'tickr_flush',
    text: flushSql,
    values: [JSON.stringify(fence), JSON.stringify(journal), JSON.stringify(tickets), JSON.stringify(snapshots)],
  });
  const row = result.rows[0]!;
  if (!row.ok) {
    const current = await client.query<{ shard: number; epoch: number }>(
      'SELECT shard, epoch FROM shard_epochs WHERE shard = ANY($1::int[])',
      [fence.map((f) => f.shard)],
    );
    const moved = current.rows.filter((r) => batch.epochs.get(r.shard) !== r.epoch).map((r) => r.shard);
    throw new FencedError(moved.length > 0 ? moved : fence.map((f) => f.shard));
  }
  if (row.journaled !== journal.length || row.ticketed !== tickets.length) {
    throw new Error(`journal flush wrote ${row.journaled}/${journal.length} entries and ${row.ticketed}/${tickets.length} tickets`);
  }
}
