import type pg from 'pg';
import type { JournalEntry } from '../inventory/types.ts';
import { encodeEntries } from './codec.ts';

/**
 * One worker's pending writes: everything its actors changed since the last
 * flush began. Snapshots are not part of it: they are written apart, once the
 * journal they summarise has committed (journal/snapshot_write.ts).
 */
export type Batch = {
  /** Epoch this worker holds for each shard that has entries in the batch. */
  epochs: Map<number, number>;
  rows: JournalRow[];
  tickets: TicketRow[];
};

export type JournalRow = { shard: number; entry: JournalEntry };
export type TicketRow = { id: string; eventId: string; typeId: string; holdId: string; buyerId: string; price: number; currency: string };

/** A connection, or a pool that lends one per statement: every write here is one statement. */
export type Queryable = pg.ClientBase | pg.Pool;

export function emptyBatch(): Batch {
  return { epochs: new Map(), rows: [], tickets: [] };
}

export function batchIsEmpty(batch: Batch): boolean {
  return batch.rows.length === 0;
}

export class FencedError extends Error {
  override name = 'FencedError';
  constructor(readonly shards: number[]) {
    super(`journal flush refused: the epoch of shard(s) ${shards.join(', ')} moved on (another owner took over)`);
  }
}

/**
 * The fence that every fenced write starts with (`WITH ${fenceCtes}, ...`):
 * `ok` is true only while every shard in $1 is still at its epoch in $2, and
 * the epoch rows stay locked FOR SHARE until the commit, so a raise either
 * waits for this write or makes it write nothing. Each write after it is
 * conditional on `ok`.
 */
export const fenceCtes = `fence AS (
  SELECT e.shard FROM shard_epochs e
  JOIN unnest($1::int[], $2::bigint[]) AS f(shard, epoch) ON e.shard = f.shard AND e.epoch = f.epoch
  FOR SHARE OF e -- serialises with an epoch raise (fencing)
), ok AS (
  SELECT count(*) = cardinality($1::int[]) AS ok FROM fence
)`;

/*
 * The whole batch is one statement, so one round trip and one commit: the
 * fence locks the shards' epoch rows FOR SHARE and counts those still at our
 * epoch; every insert is conditional on all of them matching. An epoch raise
 * (epochs.ts) conflicts with FOR SHARE, so it either waits for this commit or
 * makes the recheck fail and the flush write nothing.
 *
 * The journal gets one row per event (its entries as one msgpack value).
 * Those values travel in one binary parameter, cut by offsets and lengths:
 * an array of bytea would go as hex text, twice the bytes and a parse on
 * both sides. Tickets, one row each, travel as one JSON document.
 */
const journalCte = `journal AS (
  INSERT INTO inventory_journal (event_id, seq_from, seq_to, shard, epoch, entries)
  SELECT j.event_id, j.seq_from, j.seq_to, j.shard, j.epoch, substring($8::bytea FROM j.at + 1 FOR j.length)
    FROM unnest($3::uuid[], $4::bigint[], $5::bigint[], $6::int[], $7::bigint[], $9::int[], $10::int[])
         AS j(event_id, seq_from, seq_to, shard, epoch, at, length)
   WHERE (SELECT ok FROM ok)
  RETURNING 1
)`;

const flushSql = `
WITH ${fenceCtes}, ${journalCte}, tickets AS (
  INSERT INTO tickets (id, event_id, type_id, hold_id, buyer_id, price, currency)
  SELECT t.id, t.event_id, t.type_id, t.hold_id, t.buyer_id, t.price, t.currency
    FROM json_to_recordset($11::json) AS t(id uuid, event_id uuid, type_id uuid, hold_id text, buyer_id uuid, price bigint, currency text)
   WHERE (SELECT ok FROM ok)
  RETURNING 1
)
SELECT (SELECT ok FROM ok) AS ok,
       (SELECT count(*) FROM journal)::int AS journaled,
       (SELECT count(*) FROM tickets)::int AS ticketed`;

/**
 * Most batches (holds, releases, expiries) carry no ticket: they go without
 * the tickets CTE, which cost PostgreSQL its JSON parse and a scan per flush.
 */
const journalOnlySql = `
WITH ${fenceCtes}, ${journalCte}
SELECT (SELECT ok FROM ok) AS ok,
       (SELECT count(*) FROM journal)::int AS journaled,
       0 AS ticketed`;

/** Several byte strings as one, with where each starts and how long it is. */
function concat(parts: Buffer[]): { bytes: Buffer; at: number[]; length: number[] } {
  const at: number[] = [];
  const length: number[] = [];
  let offset = 0;
  for (const part of parts) {
    at.push(offset);
    length.push(part.length);
    offset += part.length;
  }
  return { bytes: Buffer.concat(parts, offset), at, length };
}

type EventGroup = { eventId: string; shard: number; entries: JournalEntry[] };

/** The batch's entries grouped per event, in the order they were written. */
function perEvent(rows: JournalRow[]): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const { shard, entry } of rows) {
    let group = groups.get(entry.eventId);
    if (!group) groups.set(entry.eventId, (group = { eventId: entry.eventId, shard, entries: [] }));
    group.entries.push(entry);
  }
  return [...groups.values()];
}

/**
 * Writes a batch durably or not at all. Throws FencedError when any of its
 * shards changed owner; any other error is the database's. Either way the
 * caller must treat its in-memory state as ahead of the truth.
 */
export async function flushBatch(client: Queryable, batch: Batch): Promise<void> {
  const shards = [...batch.epochs.keys()];
  const groups = perEvent(batch.rows);
  const epochOf = (shard: number) => batch.epochs.get(shard)!;
  const tickets = batch.tickets.map((t) => ({
    id: t.id, event_id: t.eventId, type_id: t.typeId, hold_id: t.holdId, buyer_id: t.buyerId, price: t.price, currency: t.currency,
  }));
  const journal = concat(groups.map((g) => encodeEntries(g.entries)));
  const values: unknown[] = [
    shards,
    shards.map(epochOf),
    groups.map((g) => g.eventId),
    groups.map((g) => g.entries[0]!.seq),
    groups.map((g) => g.entries[g.entries.length - 1]!.seq),
    groups.map((g) => g.shard),
    groups.map((g) => epochOf(g.shard)),
    journal.bytes,
    journal.at,
    journal.length,
  ];
  const query = tickets.length === 0
    ? { name: 'tickr_flush_journal', text: journalOnlySql, values }
    : { name: 'tickr_flush', text: flushSql, values: [...values, JSON.stringify(tickets)] };
  const result = await client.query<{ ok: boolean; journaled: number; ticketed: number }>(query);
  const row = result.rows[0]!;
  if (!row.ok) {
    const current = await client.query<{ shard: number; epoch: number }>('SELECT shard, epoch FROM shard_epochs WHERE shard = ANY($1::int[])', [shards]);
    const moved = current.rows.filter((r) => epochOf(r.shard) !== r.epoch).map((r) => r.shard);
    throw new FencedError(moved.length > 0 ? moved : shards);
  }
  if (row.journaled !== groups.length || row.ticketed !== tickets.length) {
    throw new Error(`journal flush wrote ${row.journaled}/${groups.length} journal rows and ${row.ticketed}/${tickets.length} tickets`);
  }
}
