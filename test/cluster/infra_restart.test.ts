import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEvent,
  lockClusterTests,
  requestAny,
  signinOperator,
  signup,
  startCluster,
  startLoad,
  startPrivatePostgres,
  until,
  verifyAcknowledged,
  waitForSpread,
  type Cluster,
  type PrivatePostgres,
} from '../../engine/src/testing/cluster.ts';
import { testRedisPrefix } from '../../engine/src/testing/redis.ts';
import { startRedis, type TestRedis } from '../../engine/src/testing/kit.ts';

/*
 * Redis restarted (its keys gone: no persistence), Redis flushed, Postgres
 * restarted, each mid-load: the cluster must come back by itself (every shard
 * owned again, holds placed again), lose nothing it acknowledged and oversell
 * nothing. This file restarts its own Redis and its own embedded Postgres,
 * never the ones the other test files share.
 */

const leaseTtlMs = 2_000;
const recoverWithinMs = 30_000;

describe('cluster: Redis and Postgres restarts mid-load', () => {
  let pg: PrivatePostgres | undefined;
  let redis: TestRedis | undefined;
  let cluster: Cluster | undefined;
  let unlock: (() => Promise<void>) | undefined;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    unlock = await lockClusterTests();
    [pg, redis] = await Promise.all([startPrivatePostgres(), startRedis({ fromEnv: false })]);
    cluster = await startCluster({ nodes: 3, dbUrl: pg.url, redisUrl: redis.url, prefix, env: { TICKR_LEASE_TTL_MS: String(leaseTtlMs) } });
  }, 600_000);
  afterAll(async () => {
    await cluster?.close();
    await redis?.stop();
    await pg?.stop();
    await unlock?.();
  }, 60_000);

  /** Load on a new event; `disrupt` mid-load; then the cluster must recover by itself and keep every acknowledged answer. */
  async function survives(what: string, disrupt: () => Promise<void>) {
    const c = cluster!;
    const db = pg!.db;
    await waitForSpread(c, { db });
    const organizer = await signup(c, 'organizer');
    const event = await createEvent(c, organizer.token, [
      { name: 'General', price: 5_000, capacity: 3_000 },
      { name: 'VIP', price: 20_000, capacity: 40 },
    ]);
    const buyers = await Promise.all(Array.from({ length: 8 }, (_, i) => signup(c, 'participant', `buyer${i}`)));
    const prober = await signup(c, 'participant', 'prober');
    const op = await signinOperator(c);

    const load = startLoad({ cluster: c, eventId: event.id, typeIds: event.typeIds, buyers, operatorToken: op, loops: 8, thinkMs: 10 });
    let recoveryMs = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const heldBefore = load.held.size;
      const disruptedAt = Date.now();
      await disrupt();
      const backAt = Date.now();
      // Recovered: every shard owned again as placement says, and a hold placed through every node.
      await waitForSpread(c, { db, timeoutMs: recoverWithinMs });
      for (const node of c.running()) {
        await until(
          async () => {
            const answer = await requestAny({ ...c, any: () => node }, 'POST', `/api/events/${event.id}/holds`, {
              token: prober.token,
              body: { typeId: event.typeIds[0], quantity: 1 },
              headers: { 'idempotency-key': `probe-${what}-${node.nodeId}` },
              deadlineMs: 1_000,
            });
            if (answer.status === 201) load.held.set(answer.body.holdId, { holdId: answer.body.holdId, key: `probe-${what}-${node.nodeId}`, token: prober.token, typeId: event.typeIds[0]!, quantity: 1, via: node.nodeId });
            return answer.status === 201;
          },
          recoverWithinMs,
          `a hold through ${node.nodeId} after ${what}`,
        ).catch((error: Error) => {
          throw new Error(`${error.message}\n${c.output()}`);
        });
      }
      recoveryMs = Date.now() - backAt;
      console.log(`${what}: disruption took ${backAt - disruptedAt} ms; the cluster recovered ${recoveryMs} ms after it ended (${heldBefore} holds acknowledged before)`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await load.stop();
    }
    console.log(`${what} load: ${load.summary()}`);
    expect(load.held.size).toBeGreaterThan(10);
    await waitForSpread(c, { db, timeoutMs: recoverWithinMs });
    await verifyAcknowledged({ cluster: c, db, load, eventId: event.id, capacities: event.capacities });
  }

  it('recovers from a Redis restart (every key lost)', async () => {
    await survives('redis restart', () => redis!.restart(leaseTtlMs));
  }, 120_000);

  it('recovers from FLUSHALL', async () => {
    await survives('redis flushall', () => redis!.flushAll());
  }, 120_000);

  it('recovers from a Postgres restart', async () => {
    await survives('postgres restart', () => pg!.restart(1_000));
  }, 120_000);
});
