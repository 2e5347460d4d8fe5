import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { insertAccount } from '../db/accounts.ts';
import { insertEvent } from '../db/events.ts';
import type { Engine } from '../engine.ts';
import { startEngine } from '../node_engine.ts';
import { shardOf } from '../shards.ts';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { freePort } from '../testing/ports.ts';
import { clearRedisPrefix, testRedisPrefix, testRedisUrl } from '../testing/redis.ts';
import { connectRemoteEngine } from './remote_engine.ts';

/** `tickr jobs` owns no shard: its engine forwards every command to the node holding the shard's lease. */

let t: TestDatabase;
let node: Engine;
let remote: Engine;
let eventId: string;
let typeId: string;
let buyer: string;
const prefix = testRedisPrefix();

beforeAll(async () => {
  t = await freshDatabase();
  // The node and `tickr jobs` share the cluster secret: the node serves no one else on its internal port.
  const env = { TICKR_WORKERS: '1', TICKR_SHARDS: '4', REDIS_URL: testRedisUrl(), TICKR_REDIS_PREFIX: prefix, TICKR_CLUSTER_SECRET: 'remote-engine-test-cluster-secret-0123456789' };
  const nodeConfig = readConfig({ ...env, NODE_ID: 'owner', TICKR_INTERNAL_PORT: String(await freePort()) });
  node = await startEngine({ config: nodeConfig, db: t.db, dbUrl: t.url, log: () => {} });
  const organizer = (await insertAccount(t.db, { email: `o-${randomUUID()}@t.test`, passwordHash: 'x', name: 'O', role: 'organizer' }))!;
  buyer = (await insertAccount(t.db, { email: `b-${randomUUID()}@t.test`, passwordHash: 'x', name: 'B', role: 'participant' }))!.id;
  eventId = randomUUID();
  const event = await insertEvent(t.db, organizer.id, {
    id: eventId, name: 'E', venue: 'V', startsAt: new Date(Date.now() + 86_400_000), endsAt: null, saleStartsAt: null, saleEndsAt: null,
    currency: 'EUR', perBuyerLimit: 10, holdTtlSeconds: 300, ticketTypes: [{ name: 'GA', price: 1_000, capacity: 10 }],
  }, shardOf(eventId, 4));
  typeId = event.ticketTypes[0]!.id;
  remote = await connectRemoteEngine(readConfig({ ...env, NODE_ID: 'jobs' }), () => {});
});

afterAll(async () => {
  await remote?.close();
  await node?.close();
  await t?.drop();
  await clearRedisPrefix(prefix);
});

describe('remote engine', () => {
  it('reaches the owner of the shard and gets its answers', async () => {
    let held;
    // The node takes its shards shortly after it starts: until then the remote engine says shard_unavailable (jobs retry).
    for (let i = 0; i < 200; i++) {
      held = await remote.send({ kind: 'placeHold', eventId, typeId, qty: 2, buyer, key: 'remote-1' });
      if (held.ok) break;
      expect(held.reason).toBe('shard_unavailable');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(held).toMatchObject({ ok: true, kind: 'held', hold: { qty: 2 } });
    const holdId = (held as { hold: { holdId: string } }).hold.holdId;
    expect(await remote.send({ kind: 'confirmHold', eventId, holdId })).toMatchObject({ ok: true, kind: 'confirmed' });
    expect(await node.send({ kind: 'snapshot', eventId })).toMatchObject({ ok: true, types: [{ sold: 2, held: 0 }] });
  });

  it('is never given shards: the owner keeps all of them', async () => {
    for (let i = 0; i < 100 && node.status().shardsOwned < 4; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(node.status().shardsOwned).toBe(4);
    expect(remote.status().shardsOwned).toBe(0);
  });
});
