import type { Config } from '../../../engine/src/config.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { opsAlertsListMax } from '../../../engine/src/constants.ts';
import { selectOpenAlerts } from '../../../engine/src/ops/alerts.ts';
import { jobBacklog, shardOwners } from '../../../engine/src/ops/status.ts';
import { requireRole } from '../auth/guard.ts';
import type { Router } from '../http/route.ts';

/**
 * `GET /api/ops/status`: what the operator's status page shows, operators
 * only. This node's engine (workers, mailbox depth per worker, shards it
 * serves), the owner of every shard as Postgres last fenced it (the epoch
 * raise records the owner), the nodes that own shards, WebSocket waiters on
 * this node, and the pg-boss backlog per queue and state (jobs due now;
 * those set to run later are counted apart as scheduled), and the open
 * operator alerts (a job that gave up, and what was done). Each part answers
 * on its own: a part that cannot be read is null, never a 500 for the page.
 */
export type OpsDeps = { config: Config; db: Db; engine: Engine; waiters: () => number };

export function mountOps(router: Router, { config, db, engine, waiters }: OpsDeps): void {
  router.route('get', '/api/ops/status', async (ctx) => {
    requireRole(ctx, 'operator', 'admin');
    const status = engine.status();
    const [owners, jobs, alerts] = await Promise.all([
      shardOwners(db, config.shards).catch(() => null),
      jobBacklog(db).catch(() => null),
      selectOpenAlerts(db, opsAlertsListMax).catch(() => null),
    ]);
    const nodes = new Map<string, { nodeId: string; shards: number; lastRaisedAt: string | null }>();
    for (const s of owners ?? []) {
      if (s.owner === null) continue;
      const n = nodes.get(s.owner) ?? { nodeId: s.owner, shards: 0, lastRaisedAt: null };
      n.shards++;
      if (s.raisedAt !== null && (n.lastRaisedAt === null || s.raisedAt > n.lastRaisedAt)) n.lastRaisedAt = s.raisedAt;
      nodes.set(s.owner, n);
    }
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: {
        at: new Date().toISOString(),
        cluster: config.redisUrl !== null,
        self: { ...status, queueWaiters: waiters() },
        nodes: [...nodes.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId)),
        shards: owners,
        jobs,
        alerts,
        links: { metrics: '/metrics', health: '/health' },
      },
    };
  });
}
