import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import { upsertOperator } from '../../../engine/src/db/accounts.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { signUp, type SignUpRole } from '../../../engine/src/testing/kit.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { hashPassword } from '../auth/passwords.ts';
import { createServer, type Server } from '../server.ts';

/**
 * The HTTP API end to end: a real Postgres, the real engine (worker threads,
 * journal), the uWS server on a free port, and Node's fetch as the client.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are arbitrary JSON, asserted field by field
type Answer = { status: number; body: any; headers: Headers };

let t: TestDatabase;
let engine: Engine;
let server: Server;
let base: string;
const logged: string[] = [];

async function call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (res.headers.get('content-type') === 'application/json') parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers };
}

function expectError(a: Answer, status: number, code: string): void {
  expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status, code });
  expect(typeof a.body.error.message).toBe('string');
  expect(a.body.error.message.length).toBeGreaterThan(10);
}

const signup = (role: SignUpRole, name: string = role) => signUp(call, role, { name, password: 'a long password', emailDomain: 'example.com' });

const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const day = 24 * 60 * 60_000;

function eventBody(over: Record<string, unknown> = {}) {
  return {
    name: 'Jazz night',
    venue: 'Théâtre municipal',
    startsAt: iso(30 * day),
    currency: 'TND',
    perBuyerLimit: 4,
    ticketTypes: [{ name: 'General', price: 25_000, capacity: 10 }, { name: 'VIP', price: 90_000, capacity: 2 }],
    ...over,
  };
}

let organizerA: Awaited<ReturnType<typeof signup>>;
let organizerB: Awaited<ReturnType<typeof signup>>;
let buyer: Awaited<ReturnType<typeof signup>>;
let operatorToken: string;

beforeAll(async () => {
  t = await freshDatabase();
  const config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '8',
    TICKR_TOKEN_SECRET: 'test-secret-test-secret-test-secret-42', TICKR_LOG_LEVEL: 'warn', NODE_ID: 'edge-organizer-test',
  });
  const log = (level: string, msg: string) => { logged.push(`${level} ${msg}`); };
  engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  server = createServer({ config, db: t.db, engine, log });
  base = `http://127.0.0.1:${await server.listen()}`;
  await upsertOperator(t.db, 'ops@example.com', await hashPassword('operator password'), 'Ops');
  [organizerA, organizerB, buyer] = await Promise.all([signup('organizer', 'a'), signup('organizer', 'b'), signup('participant', 'p')]);
  const ops = await call('POST', '/api/auth/signin', { body: { email: 'ops@example.com', password: 'operator password' } });
  operatorToken = ops.body.token;
});

afterAll(async () => {
  server?.close();
  await engine?.close();
  await t?.drop();
  expect(logged.filter((l) => l.includes('failed:'))).toEqual([]);
});

async function hold(eventId: string, typeId: string, token = buyer.token): Promise<Answer> {
  return call('POST', `/api/events/${eventId}/holds`, { token, body: { typeId, quantity: 1 }, headers: { 'idempotency-key': randomUUID() } });
}

describe('draft → published', () => {
  it('keeps a draft to its organizer: not listed, 404 to everyone else, no holds or queue, until published', async () => {
    const created = await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ status: 'draft', name: 'Secret draft' }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', publishedAt: null });
    const id: string = created.body.id;
    const typeId: string = created.body.ticketTypes[0].id;

    expect((await call('GET', `/api/events/${id}`, { token: organizerA.token })).body.status).toBe('draft');
    for (const token of [organizerB.token, buyer.token, undefined]) {
      expectError(await call('GET', `/api/events/${id}`, { token }), 404, 'event_not_found');
      const listed = await call('GET', '/api/events', { token });
      expect(listed.body.events.map((e: { id: string }) => e.id)).not.toContain(id);
    }
    expect((await call('GET', '/api/events?mine=1', { token: organizerA.token })).body.events.map((e: { id: string }) => e.id)).toContain(id);
    expectError(await hold(id, typeId), 404, 'event_not_found');
    expectError(await call('POST', `/api/events/${id}/queue`, { token: buyer.token, body: {} }), 404, 'event_not_found');
    expectError(await call('GET', `/api/events/${id}/queue`), 404, 'event_not_found');
    expectError(await call('GET', `/api/events/${id}/queue/proof`, { token: buyer.token }), 404, 'event_not_found');
    expectError(await call('GET', `/api/events/${id}/keys`), 404, 'event_not_found');
    expectError(await call('GET', `/api/events/${id}/keys`, { token: organizerB.token }), 404, 'event_not_found');
    expect((await call('GET', `/api/events/${id}/keys`, { token: organizerA.token })).status).toBe(200);
    // Queue settings and the sale start can be set before anyone sees it.
    const setUp = await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizerA.token, body: { queueEnabled: true } });
    expect(setUp.status).toBe(200);
    expectError(await call('POST', `/api/events/${id}/publish`, { token: organizerB.token }), 404, 'event_not_found');
    expectError(await call('POST', `/api/events/${id}/publish`, { token: buyer.token }), 403, 'forbidden');

    const published = await call('POST', `/api/events/${id}/publish`, { token: organizerA.token });
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('published');
    expect(typeof published.body.publishedAt).toBe('string');
    expect((await call('GET', `/api/events/${id}`)).status).toBe(200);
    expect((await call('GET', `/api/events/${id}/keys`)).status).toBe(200);
    expect((await call('GET', '/api/events')).body.events.map((e: { id: string }) => e.id)).toContain(id);
    // Publishing again changes nothing.
    expect((await call('POST', `/api/events/${id}/publish`, { token: organizerA.token })).body.publishedAt).toBe(published.body.publishedAt);
  });

  it('refuses a draft hold and sells once published (queue off)', async () => {
    const created = await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ status: 'draft' }) });
    const id: string = created.body.id;
    const typeId: string = created.body.ticketTypes[0].id;
    expectError(await hold(id, typeId), 404, 'event_not_found');
    await call('POST', `/api/events/${id}/publish`, { token: organizerA.token });
    expect((await hold(id, typeId)).status).toBe(201);
  });

  it('creates a published event when the body says nothing (the API before drafts)', async () => {
    const created = await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ currency: 'EUR' }) });
    expect(created.body).toMatchObject({ status: 'published', timeZone: 'UTC' });
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ status: 'hidden' }) }), 400, 'invalid_body');
  });
});

describe('editing an event', () => {
  it('edits every field, adds a type and retires one: its sales stay, it is not sold after', async () => {
    const created = await call('POST', '/api/events', { token: organizerA.token, body: eventBody() });
    const id: string = created.body.id;
    const [general, vip] = created.body.ticketTypes as { id: string }[];
    const h = await hold(id, vip!.id);
    expect(h.status).toBe(201);
    expect((await call('POST', `/api/holds/${h.body.holdId}/confirm`, { token: operatorToken })).status).toBe(200);

    const startsAt = iso(40 * day);
    const patched = await call('PATCH', `/api/events/${id}`, {
      token: organizerA.token,
      body: {
        name: 'Jazz night II', venue: 'Salle B', startsAt, endsAt: iso(40 * day + 3 * 3_600_000),
        description: 'Line one\r\nLine <b>two</b>', address: '1 rue de Rome\nTunis', latitude: 36.8, longitude: 10.18, timeZone: 'europe/paris',
        ticketTypes: [{ id: vip!.id, retired: true }, { id: general!.id, price: 30_000 }],
        newTicketTypes: [{ name: 'Student', price: 10_000, capacity: 5 }],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Jazz night II', venue: 'Salle B', startsAt, description: 'Line one\nLine <b>two</b>', address: '1 rue de Rome\nTunis',
      latitude: 36.8, longitude: 10.18, timeZone: 'Europe/Paris',
      mapUrl: 'https://www.openstreetmap.org/?mlat=36.80000&mlon=10.18000#map=17/36.80000/10.18000',
    });
    const types = patched.body.ticketTypes as { id: string; name: string; retired: boolean; sold: number | null; price: number }[];
    expect(types.map((x) => [x.name, x.retired])).toEqual([['General', false], ['VIP', true], ['Student', false]]);
    expect(types[1]!.sold).toBe(1);
    expect(types[0]!.price).toBe(30_000);

    expectError(await hold(id, vip!.id), 422, 'unknown_ticket_type');
    expect((await hold(id, types[2]!.id)).status).toBe(201);
    const read = await call('GET', `/api/events/${id}`);
    expect(read.body.ticketTypes[1]).toMatchObject({ retired: true, sold: 1 });
    // On sale again.
    await call('PATCH', `/api/events/${id}`, { token: organizerA.token, body: { ticketTypes: [{ id: vip!.id, retired: false }] } });
    expect((await hold(id, vip!.id)).status).toBe(201);
  });

  it('answers bad edits with a sentence naming the field', async () => {
    const created = await call('POST', '/api/events', { token: organizerA.token, body: eventBody() });
    const id: string = created.body.id;
    const zone = await call('PATCH', `/api/events/${id}`, { token: organizerA.token, body: { timeZone: 'Mars/Olympus' } });
    expectError(zone, 400, 'invalid_body');
    expect(zone.body.error.message).toMatch(/timeZone must be an IANA time zone/);
    const ends = await call('PATCH', `/api/events/${id}`, { token: organizerA.token, body: { endsAt: iso(day) } });
    expectError(ends, 400, 'invalid_body');
    expect(ends.body.error.field).toBe('endsAt');
    expectError(await call('PATCH', `/api/events/${id}`, { token: organizerA.token, body: { latitude: 36.8 } }), 400, 'invalid_body');
    expectError(await call('PATCH', `/api/events/${id}`, { token: organizerA.token, body: { description: 'bell \u0007' } }), 400, 'control_characters');
    expectError(await call('PATCH', `/api/events/${id}`, { token: organizerA.token, body: { name: 'two\nlines' } }), 400, 'control_characters');
    expectError(await call('PATCH', `/api/events/${id}`, { token: organizerB.token, body: { description: 'x' } }), 404, 'event_not_found');
  });

  it('defaults the zone from the currency: Africa/Tunis for TND', async () => {
    const created = await call('POST', '/api/events', { token: organizerA.token, body: eventBody() });
    expect(created.body.timeZone).toBe('Africa/Tunis');
    expect(created.body.mapUrl).toBe(`https://www.openstreetmap.org/search?query=${encodeURIComponent('Théâtre municipal')}`);
  });
});
