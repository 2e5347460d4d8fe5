import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, type Config } from '../../../engine/src/config.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { createServer, type Server } from '../server.ts';

/**
 * A node stops and another takes its drops from Postgres: every place given
 * stays with its buyer, the lottery is not drawn again, the head does not go
 * back, and the proof is the same.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are arbitrary JSON
type Answer = { status: number; body: any };

let t: TestDatabase;
let config: Config;
let node: { engine: Engine; server: Server; base: string } | null = null;
const logged: string[] = [];

async function start(): Promise<void> {
  const log = (level: string, msg: string) => { logged.push(`${level} ${msg}`); };
  const engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  const server = createServer({ config, db: t.db, engine, log });
  node = { engine, server, base: `http://127.0.0.1:${await server.listen()}` };
}

async function stop(): Promise<void> {
  node?.server.close();
  await node?.engine.close();
  node = null;
}

let addresses = 0;
async function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { 'x-forwarded-for': `198.51.100.${++addresses % 250}` };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(node!.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** A participant's row (tokens are checked against it) and its token, without the password hashing. */
async function participant(name: string): Promise<string> {
  const id = randomUUID();
  await t.db.query(`INSERT INTO accounts (id, email, password_hash, name, role) VALUES ($1, $2, 'x', $3, 'participant')`, [id, `${id}@test.tickr`, name]);
  return node!.server.tokens.sign({ sub: id, role: 'participant', name });
}

beforeAll(async () => {
  t = await freshDatabase();
  config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', TICKR_TOKEN_SECRET: 'restart-secret-restart-secret-restart-42', TICKR_LOG_LEVEL: 'warn', NODE_ID: 'restart-test',
    // The test stands in for one proxy, so each join comes from its own forwarded address.
    TICKR_TRUST_PROXY: '1',
  });
  await start();
});

afterAll(async () => {
  await stop();
  await t?.drop();
  expect(logged.filter((l) => l.includes('failed:'))).toEqual([]);
});

describe('the queue across a restart', () => {
  it('keeps every place with its buyer, draws once, and never moves the head back', async () => {
    const organizerId = randomUUID();
    await t.db.query(`INSERT INTO accounts (id, email, password_hash, name, role) VALUES ($1, $2, 'x', 'Org', 'organizer')`, [organizerId, `${organizerId}@test.tickr`]);
    await t.db.query(`INSERT INTO organizers (account_id, display_name) VALUES ($1, 'Org')`, [organizerId]);
    const organizer = await node!.server.tokens.sign({ sub: organizerId, role: 'organizer', name: 'Org' });
    const created = await call('POST', '/api/events', organizer, {
      name: 'Restart drop', startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), saleStartsAt: new Date(Date.now() + 86_400_000).toISOString(),
      currency: 'EUR', perBuyerLimit: 1, ticketTypes: [{ name: 'General', price: 5_000, capacity: 100 }],
    });
    const eventId = created.body.id;
    await call('PATCH', `/api/events/${eventId}/queue/settings`, organizer, { queueEnabled: true, admissionRatePerMinute: 600 });
    const buyers = await Promise.all(Array.from({ length: 8 }, () => participant('p')));
    for (const b of buyers) expect((await call('POST', `/api/events/${eventId}/queue`, b, {})).status).toBe(201);
    await call('PATCH', `/api/events/${eventId}/queue/settings`, organizer, { saleStartsAt: new Date(Date.now() - 1_000).toISOString() });

    let places: number[] = [];
    for (let i = 0; i < 200 && (places.length === 0 || places.includes(null as unknown as number)); i++) {
      places = [];
      for (const b of buyers) places.push((await call('POST', `/api/events/${eventId}/queue`, b, {})).body.place);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...places].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    let head = 0;
    for (let i = 0; i < 200 && head < 2; i++) {
      head = (await call('GET', `/api/events/${eventId}/queue`)).body.head;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const proof = (await call('GET', `/api/events/${eventId}/queue/proof`)).body;
    const late = await participant('late');
    expect((await call('POST', `/api/events/${eventId}/queue`, late, {})).body.place).toBe(9);

    await stop();
    await start();

    const after = [];
    for (const b of buyers) after.push((await call('POST', `/api/events/${eventId}/queue`, b, {})).body.place);
    expect(after).toEqual(places);
    expect((await call('POST', `/api/events/${eventId}/queue`, late, {})).body).toMatchObject({ place: 9 });
    expect((await call('GET', `/api/events/${eventId}/queue/proof`)).body).toEqual(proof);
    const status = (await call('GET', `/api/events/${eventId}/queue`)).body;
    expect(status.head).toBeGreaterThanOrEqual(head);
    expect(status).toMatchObject({ drawn: true, placed: 9, joined: 9 });
    const newcomer = await participant('new');
    expect((await call('POST', `/api/events/${eventId}/queue`, newcomer, {})).body.place).toBe(10);
  });
});
