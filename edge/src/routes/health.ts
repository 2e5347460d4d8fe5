import type { Config } from '../../../engine/src/config.ts';
import { dbReachable, type Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import type { EdgeMetrics } from '../http/metrics.ts';
import { bearerIs, isDirectLoopback, isOperator, refuseStranger } from '../http/operator_access.ts';
import type { Router } from '../http/route.ts';
import { healthDbTimeoutMs } from '../../../engine/src/constants.ts';

export type HealthDeps = { config: Pick<Config, 'metricsToken'>; db: Db; engine: Engine; metrics: EdgeMetrics };

export function mountHealth(router: Router, { config, db, engine, metrics }: HealthDeps): void {
  router.route('get', '/health', async () => {
    const status = engine.status();
    const dbOk = await dbReachable(db, healthDbTimeoutMs);
    const ready = status.ready && dbOk;
    const body = {
      status: ready ? 'ok' : 'unavailable',
      db: dbOk,
      shards: { owned: status.shardsOwned, total: status.shardsTotal },
      workers: status.workers,
    };
    return ready ? { status: 200, body } : { status: 503, body, headers: { 'retry-after': '1' } };
  });

  // Metrics tell a stranger the shape of the cluster and the size of every sale: a scraper on this machine, one with
  // TICKR_METRICS_TOKEN, or a signed-in operator may read them.
  router.route('get', '/metrics', async (ctx) => {
    if (!isDirectLoopback(ctx) && !bearerIs(ctx, config.metricsToken) && !isOperator(ctx)) {
      refuseStranger(ctx, '/metrics', 'a scraper on this machine, a scraper sending "Authorization: Bearer <TICKR_METRICS_TOKEN>", or a signed-in operator');
    }
    return {
      status: 200,
      body: await metrics.text(),
      headers: { 'content-type': metrics.contentType },
    };
  });
}
