import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, type Config } from '../config.ts';
import { insertAccount } from '../db/accounts.ts';
import { insertEvent } from '../db/events.ts';
import type { Engine } from '../engine.ts';
import type { Outcome } from '../inventory/types.ts';
import { connectRemoteEngine } from '../jobs/remote_engine.ts';
import { startEngine } from '../node_engine.ts';
import { shardOf } from '../shards.ts';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { commandFrame, rawPeer } from '../testing/forward_peer.ts';
import { readJournal } from '../testing/journal.ts';
import { freePort } from '../testing/ports.ts';
import { clearRedisPrefix, testRedisPrefix, testRedisUrl } from '../testing/redis.ts';

/*
 * Issue #11, finding 3, end to end: a real cluster node's internal port. A raw
 * msgpack frame once confirmed an unpaid hold and raised a capacity to 100,000
 * in memory while the database said 100; now it is refused and changes
 * nothing, and the port listens on loopback unless configured otherwise.
 */

let t: TestDatabase;
let config: Config;
let node: Engine;
let eventId: string;
let typeId: string;
let holdId: string;
const prefix = testRedisPrefix();
const env = {
  TICKR_WORKERS: '1', TICKR_SHARDS: '4', TICKR_REDIS_PREFIX: prefix,
  TICKR_CLUSTER_SECRET: randomBytes(32).toString('base64url'),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  t = await freshDatabase();
  config = readConfig({ ...env, REDIS_URL: testRedisUrl(), NODE_ID: 'owner', TICKR_INTERNAL_PORT: String(await freePort()) });
  node = await startEngine({ config, db: t.db, dbUrl: t.url, log: () => {} });
  const organizer = (await insertAccount(t.db, { email: `o-${randomUUID()}@t.test`, passwordHash: 'x', name: 'O', role: 'organizer' }))!;
  const buyer = (await insertAccount(t.db, { email: `b-${randomUUID()}@t.test`, passwordHash: 'x', name: 'B', role: 'participant' }))!.id;
  eventId = randomUUID();
  const event = await insertEvent(t.db, organizer.id, {
    id: eventId, name: 'E', venue: 'V', startsAt: new Date(Date.now() + 86_400_000), endsAt: null, saleStartsAt: null, saleEndsAt: null,
    currency: 'EUR', perBuyerLimit: 10, holdTtlSeconds: 300, ticketTypes: [{ name: 'GA', price: 1_000, capacity: 100 }],
  }, shardOf(eventId, 4));
  typeId = event.ticketTypes[0]!.id;
  // The node takes its shards shortly after it starts; until then it answers shard_unavailable.
  let held: Outcome | undefined;
  for (let i = 0; i < 200 && !held?.ok; i++) {
    held = await node.send({ kind: 'placeHold', eventId, typeId, qty: 2, buyer, key: 'unpaid' });
    if (!held.ok) await sleep(100);
  }
  expect(held).toMatchObject({ ok: true, kind: 'held' });
  holdId = (held as { hold: { holdId: string } }).hold.holdId;
});

afterAll(async () => {
  await node?.close();
  await t?.drop();
  await clearRedisPrefix(prefix);
});

const unchanged = () => ({ ok: true, kind: 'snapshot', types: [{ typeId, capacity: 100, sold: 0, held: 2 }] });

describe('a cluster node\'s internal port', () => {
  it('refuses the raw frame of the issue (confirm an unpaid hold, raise a capacity), and nothing changes', async () => {
    const peer = await rawPeer(config.internalHost, config.internalPort);
    peer.write(commandFrame([{ kind: 'confirmHold', eventId, holdId }, { kind: 'changeCapacity', eventId, typeId, capacity: 100_000 }]));
    // Before the fix the node answered here; now it closes without a byte.
    expect(await peer.read(4)).toBeNull();
    expect(await node.send({ kind: 'snapshot', eventId })).toMatchObject(unchanged());
    const journal = await readJournal(t.db, eventId);
    expect(journal.map((entry) => entry.body.kind)).toEqual(['hold_placed']);
  });

  it('refuses a `tickr jobs` engine with another cluster secret, and nothing changes', async () => {
    const stranger = await connectRemoteEngine(
      readConfig({ ...env, REDIS_URL: testRedisUrl(), NODE_ID: 'stranger', TICKR_CLUSTER_SECRET: randomBytes(32).toString('base64url') }),
      () => {},
    );
    try {
      expect(await stranger.send({ kind: 'confirmHold', eventId, holdId })).toEqual({ ok: false, reason: 'shard_unavailable' });
    } finally {
      await stranger.close();
    }
    expect(await node.send({ kind: 'snapshot', eventId })).toMatchObject(unchanged());
  });

  it('listens on loopback when neither TICKR_INTERNAL_HOST nor TICKR_ADVERTISE_HOST says otherwise', async () => {
    expect(config.internalHost).toBe('127.0.0.1');
    // Reached through another address of this machine, the port is closed (it was open on 0.0.0.0).
    const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (outside === undefined) return; // A machine with loopback alone has no other address to try.
    const reached = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: outside.address, port: config.internalPort });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    expect(reached).toBe(false);
  });
});
