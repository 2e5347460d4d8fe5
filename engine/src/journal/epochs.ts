import type { Db } from '../db/pool.ts';

/**
 * Raises the epoch of shards this node has just won. The epoch only grows;
 * the row lock of this UPDATE waits for any flush holding FOR SHARE on the
 * row (flush.ts), so once it returns no older owner can commit again.
 */
export async function raiseEpochs(db: Db, shards: number[], owner: string): Promise<Map<number, number>> {
  const { rows } = await db.query<{ shard: number; epoch: number }>(
    `UPDATE shard_epochs SET epoch = epoch + 1, owner = $2, raised_at = now()
      WHERE shard = ANY($1::int[]) RETURNING shard, epoch`,
    [shards, owner],
  );
  return new Map(rows.map((r) => [r.shard, r.epoch]));
}
