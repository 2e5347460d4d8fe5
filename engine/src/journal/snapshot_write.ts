import { FencedError, fenceCtes, type Queryable } from './flush.ts';

/** A snapshot, encoded when taken (the actor moves on before it is written). */
export type SnapshotRow = { eventId: string; shard: number; epoch: number; seq: number; state: Buffer };

/*
 * Fenced like a journal flush: written only while the shard is still at our
 * epoch. A later snapshot never gives way to an earlier one (`s.seq <
 * excluded.seq`), so a slow write cannot put an older image back.
 */
const snapshotSql = `
WITH ${fenceCtes}, written AS (
  INSERT INTO inventory_snapshots AS s (event_id, seq, epoch, state)
  SELECT $3::uuid, $4::bigint, $2[1]::bigint, $5::bytea WHERE (SELECT ok FROM ok)
  ON CONFLICT (event_id) DO UPDATE SET seq = excluded.seq, epoch = excluded.epoch, state = excluded.state, taken_at = now()
   WHERE s.seq < excluded.seq
  RETURNING 1
)
SELECT (SELECT ok FROM ok) AS ok`;

/**
 * Writes one snapshot. The caller writes it only once every journal entry up
 * to its `seq` has committed (GroupCommit), so a snapshot never covers an
 * entry that recovery could find missing. Throws FencedError when the shard
 * changed owner.
 */
export async function writeSnapshot(client: Queryable, row: SnapshotRow): Promise<void> {
  const result = await client.query<{ ok: boolean }>({
    name: 'tickr_snapshot',
    text: snapshotSql,
    values: [[row.shard], [row.epoch], row.eventId, row.seq, row.state],
  });
  if (!result.rows[0]!.ok) throw new FencedError([row.shard]);
}
