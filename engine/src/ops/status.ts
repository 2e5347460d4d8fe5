import type { Db } from '../db/pool.ts';
import { jobsSchema } from '../jobs/boss.ts';

/** What the operator's status page (GET /api/ops/status) reads from Postgres. */

type ShardRow = { shard: number; epoch: string; owner: string | null; raised_at: Date | null };
type JobRow = { name: string; state: string; n: number };

/** Every shard's epoch and owner as Postgres last fenced it (the epoch raise records the owner). */
export async function shardOwners(db: Db, shards: number) {
  const { rows } = await db.query<ShardRow>('SELECT shard, epoch, owner, raised_at FROM shard_epochs WHERE shard < $1 ORDER BY shard', [shards]);
  return rows.map((r) => ({ shard: r.shard, epoch: Number(r.epoch), owner: r.owner, raisedAt: r.raised_at?.toISOString() ?? null }));
}

/** Jobs not finished, and the failed ones, per queue: the backlog an operator watches. */
export async function jobBacklog(db: Db) {
  const { rows } = await db.query<JobRow>(
    // A job created to run later (a reminder days ahead) is scheduled, not backlog.
    `SELECT name, CASE WHEN state = 'created' AND start_after > now() THEN 'scheduled' ELSE state::text END AS state, count(*)::int AS n
       FROM ${jobsSchema}.job WHERE state IN ('created', 'retry', 'active', 'failed') GROUP BY 1, 2 ORDER BY 1, 2`);
  const queues = new Map<string, { name: string; created: number; scheduled: number; retry: number; active: number; failed: number }>();
  for (const r of rows) {
    const q = queues.get(r.name) ?? { name: r.name, created: 0, scheduled: 0, retry: 0, active: 0, failed: 0 };
    if (r.state === 'created' || r.state === 'scheduled' || r.state === 'retry' || r.state === 'active' || r.state === 'failed') q[r.state] = r.n;
    queues.set(r.name, q);
  }
  return [...queues.values()];
}
