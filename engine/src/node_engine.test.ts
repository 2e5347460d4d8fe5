import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';
import { insertAccount } from './db/accounts.ts';
import { insertEvent } from './db/events.ts';
import type { Engine } from './engine.ts';
import type { HoldView, Outcome } from './inventory/types.ts';
import { Registry } from './metrics.ts';
import { startEngine } from './node_engine.ts';
import { shardOf } from './shards.ts';
import { freshDatabase, type TestDatabase } from './testing/db.ts';
import { readJournal } from './testing/journal.ts';

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('engine on one node', () => {
  let t: TestDatabase;
  let engine: Engine;
  const registry = new Registry();
  let eventId: string;
  let typeId: string;
  let buyer: string;
  const config = readConfig({ TICKR_WORKERS: '2', TICKR_SHARDS: '8', NODE_ID: 'test-node' });

  beforeAll(async () => {
    t = await freshDatabase();
    const organizer = (await insertAccount(t.db, { email: `o-${randomUUID()}@t.test`, passwordHash: 'x', name: 'O', role: 'organizer' }))!;
    buyer = (await insertAccount(t.db, { email: `b-${randomUUID()}@t.test`, passwordHash: 'x', name: 'B', role: 'participant' }))!.id;
    eventId = randomUUID();
    const event = await insertEvent(t.db, organizer.id, {
      id: eventId, name: 'E', venue: 'V', startsAt: new Date(Date.now() + 86_400_000), endsAt: null, saleStartsAt: null, saleEndsAt: null,
      currency: 'EUR', perBuyerLimit: 50, holdTtlSeconds: 300, ticketTypes: [{ name: 'GA', price: 1_000, capacity: 100 }],
    }, shardOf(eventId, config.shards));
    typeId = event.ticketTypes[0]!.id;
    engine = await startEngine({ config, db: t.db, dbUrl: t.url, log: () => {} });
    engine.registerMetrics(registry);
  });
  afterAll(async () => {
    await engine?.close();
    await t?.drop();
  });

  const hold = (qty: number): Promise<Outcome> => engine.send({ kind: 'placeHold', eventId, typeId, qty, buyer, key: randomUUID() });

  it('raises the epoch of every shard it takes, so fencing is live from the start', async () => {
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM shard_epochs WHERE shard < 8 AND epoch >= 1 AND owner = 'test-node'`);
    expect(rows[0].n).toBe(8);
    expect(engine.status()).toMatchObject({ shardsOwned: 8, shardsTotal: 8, ready: true });
  });

  it('answers a hold only once it is in the journal', async () => {
    const outcome = await hold(2);
    expect(outcome).toMatchObject({ ok: true, kind: 'held' });
    const holdId = (outcome as { hold: HoldView }).hold.holdId;
    const placed = (await readJournal(t.db, eventId)).filter((e) => e.body.kind === 'hold_placed' && e.body.hold.holdId === holdId);
    expect(placed).toHaveLength(1);
  });

  it('answers event_not_found for an event that does not exist', async () => {
    expect(await engine.send({ kind: 'snapshot', eventId: randomUUID() })).toEqual({ ok: false, reason: 'event_not_found' });
  });

  it('rebuilds a worker whose flush failed, from the journal, at a new epoch', async () => {
    const before = (await hold(3)) as { ok: true; hold: HoldView };
    const epochBefore = (await t.db.query('SELECT epoch FROM shard_epochs WHERE shard = $1', [shardOf(eventId, 8)])).rows[0].epoch;
    // Cut the worker's journal connection: its next flush fails, which must fail the worker.
    await t.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'tickr-flush-test-node-%'`);
    const during = await Promise.all([hold(1), hold(1), hold(1)]);
    for (const o of during) expect(o.ok || (o as { reason: string }).reason === 'shard_unavailable').toBe(true);
    await until(async () => engine.status().ready && (await registry.metrics()).includes('tickr_worker_restarts_total 2'));
    const epochAfter = (await t.db.query('SELECT epoch FROM shard_epochs WHERE shard = $1', [shardOf(eventId, 8)])).rows[0].epoch;
    expect(epochAfter).toBeGreaterThan(epochBefore);
    // What was acknowledged before the failure is still there.
    await until(async () => (await engine.send({ kind: 'getHold', eventId, holdId: before.hold.holdId })).ok);
    expect(await engine.send({ kind: 'getHold', eventId, holdId: before.hold.holdId })).toMatchObject({ ok: true, hold: { status: 'held', qty: 3 } });
    // Counts agree with the journal: every acknowledged hold, nothing that was refused.
    const snapshot = await engine.send({ kind: 'snapshot', eventId });
    const journaled = (await readJournal(t.db, eventId)).reduce((n, e) => n + (e.body.kind === 'hold_placed' ? e.body.hold.qty : 0), 0);
    expect(snapshot).toMatchObject({ ok: true, types: [{ held: journaled }] });
  });
});

describe('recovery from a snapshot and the journal tail', () => {
  let t: TestDatabase;
  const config = readConfig({ TICKR_WORKERS: '1', TICKR_SHARDS: '4', NODE_ID: 'snap-node', TICKR_SNAPSHOT_EVERY: '10' });
  beforeAll(async () => { t = await freshDatabase(); });
  afterAll(async () => { await t?.drop(); });

  it('rebuilds the same state from the latest snapshot plus the entries after it, without the journal before it', async () => {
    const organizer = (await insertAccount(t.db, { email: `o-${randomUUID()}@t.test`, passwordHash: 'x', name: 'O', role: 'organizer' }))!;
    const buyer = (await insertAccount(t.db, { email: `b-${randomUUID()}@t.test`, passwordHash: 'x', name: 'B', role: 'participant' }))!.id;
    const eventId = randomUUID();
    const event = await insertEvent(t.db, organizer.id, {
      id: eventId, name: 'E', venue: 'V', startsAt: new Date(Date.now() + 86_400_000), endsAt: null, saleStartsAt: null, saleEndsAt: null,
      currency: 'TND', perBuyerLimit: 100, holdTtlSeconds: 300, ticketTypes: [{ name: 'GA', price: 50_000, capacity: 1_000 }],
    }, shardOf(eventId, config.shards));
    const typeId = event.ticketTypes[0]!.id;

    const first = await startEngine({ config, db: t.db, dbUrl: t.url, log: () => {} });
    const holds: HoldView[] = [];
    for (let i = 0; i < 25; i++) {
      const o = await first.send({ kind: 'placeHold', eventId, typeId, qty: 1 + (i % 3), buyer, key: `k${i}` });
      holds.push((o as { hold: HoldView }).hold);
    }
    await first.send({ kind: 'confirmHold', eventId, holdId: holds[3]!.holdId });
    await first.send({ kind: 'releaseHold', eventId, holdId: holds[4]!.holdId, buyer });
    const before = await first.send({ kind: 'snapshot', eventId });
    await first.close();

    const snap = await t.db.query<{ seq: number }>('SELECT seq FROM inventory_snapshots WHERE event_id = $1', [eventId]);
    expect(snap.rows[0]!.seq).toBeGreaterThanOrEqual(20);
    // Drop every journal row the snapshot covers: recovery must not need them.
    const dropped = await t.db.query('DELETE FROM inventory_journal WHERE event_id = $1 AND seq_to <= $2', [eventId, snap.rows[0]!.seq]);
    expect(dropped.rowCount).toBeGreaterThan(0);

    const second = await startEngine({ config, db: t.db, dbUrl: t.url, log: () => {} });
    try {
      expect(await second.send({ kind: 'snapshot', eventId })).toEqual(before);
      expect(await second.send({ kind: 'getHold', eventId, holdId: holds[24]!.holdId })).toMatchObject({ ok: true, hold: { status: 'held' } });
      // An idempotent retry of a hold from before the snapshot still finds it.
      const retry = await second.send({ kind: 'placeHold', eventId, typeId, qty: 1, buyer, key: 'k0' });
      expect(retry).toMatchObject({ ok: true, hold: { holdId: holds[0]!.holdId } });
    } finally {
      await second.close();
    }
  });
});
