import pg from 'pg';
import { pgQueryTimeoutMs } from '../constants.ts';
import type { Db } from '../db/pool.ts';

/**
 * Raises the epoch of shards this node has just won. The epoch only grows;
 * the row lock of this UPDATE waits for any flush holding FOR SHARE on the
 * row (flush.ts), so once it returns no older owner can commit again.
 *
 * It runs on the node's main pool, whose statement timeout is the looser
 * request one, so it brings the workers' tighter one: a raise sent on a connection whose
 * link died fails within `pgQueryTimeoutMs` (the connection is destroyed) and
 * the keeper's next tick raises again, instead of waiting on TCP
 * retransmission. A raise that timed out may have committed; the epoch only
 * grows, so raising again is safe.
 */
export async function raiseEpochs(db: Db, shards: number[], owner: string): Promise<Map<number, number>> {
  // node-postgres reads `query_timeout` from a query's config too (its types leave it out).
  const query: pg.QueryConfig<[number[], string]> & { query_timeout: number } = {
    text: `UPDATE shard_epochs SET epoch = epoch + 1, owner = $2, raised_at = now()
      WHERE shard = ANY($1::int[]) RETURNING shard, epoch`,
    values: [shards, owner],
    query_timeout: pgQueryTimeoutMs,
  };
  const { rows } = await db.query<{ shard: number; epoch: number }>(query);
  return new Map(rows.map((r) => [r.shard, r.epoch]));
}
