import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../engine/src/config.ts';
import { upsertOperator } from '../../engine/src/db/accounts.ts';
import type { Engine } from '../../engine/src/engine.ts';
import { startEngine } from '../../engine/src/node_engine.ts';
import { signUp, type SignUpRole } from '../../engine/src/testing/kit.ts';
import { freshDatabase, type TestDatabase } from '../../engine/src/testing/db.ts';
import { hashPassword } from './auth/passwords.ts';
import { createServer, uwsIsNative, type Server } from './server.ts';

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
let buyer2: Awaited<ReturnType<typeof signup>>;
let operatorToken: string;

beforeAll(async () => {
  t = await freshDatabase();
  const config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '8', TICKR_BENCH_ROUTES: '1',
    TICKR_TOKEN_SECRET: 'test-secret-test-secret-test-secret-42', TICKR_LOG_LEVEL: 'warn', NODE_ID: 'edge-test',
  });
  const log = (level: string, msg: string) => { logged.push(`${level} ${msg}`); };
  engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  server = createServer({ config, db: t.db, engine, log });
  base = `http://127.0.0.1:${await server.listen()}`;
  await upsertOperator(t.db, 'ops@example.com', await hashPassword('operator password'), 'Ops');
  [organizerA, organizerB, buyer, buyer2] = await Promise.all([signup('organizer', 'a'), signup('organizer', 'b'), signup('participant', 'p'), signup('participant', 'q')]);
  const ops = await call('POST', '/api/auth/signin', { body: { email: 'OPS@example.com', password: 'operator password' } });
  expect(ops.status).toBe(200);
  operatorToken = ops.body.token;
});

afterAll(async () => {
  server?.close();
  await engine?.close();
  await t?.drop();
  // No request in this file is allowed to be a bug.
  expect(logged.filter((l) => l.includes('failed:'))).toEqual([]);
});

describe('plumbing', () => {
  it('runs on the native uWebSockets.js build', () => {
    expect(uwsIsNative()).toBe(true);
  });

  it('answers /health with the shards and workers', async () => {
    const a = await call('GET', '/health');
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ status: 'ok', db: true, shards: { owned: 8, total: 8 } });
    expect(a.body.workers).toHaveLength(1);
  });

  it('serves Prometheus text on /metrics with engine and edge counters', async () => {
    await call('GET', '/health');
    const a = await call('GET', '/metrics');
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    expect(a.body).toContain('tickr_shards_owned');
    expect(a.body).toMatch(/tickr_http_requests_total\{route="GET \/health",status="200"\} \d+/);
    expect(a.body).toContain('tickr_holds_placed_total');
    expect(a.body).toMatch(/^tickr_worker_mailbox_depth\{worker="0"\} \d+$/m);
    // prom-client's default process metrics come with the node's own.
    expect(a.body).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(a.body).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('says hello on the bench route', async () => {
    const a = await call('GET', '/bench/hello');
    expect([a.status, a.body]).toEqual([200, 'hello']);
  });

  it('answers unknown routes with 404 not_found and wrong methods with 405 and Allow', async () => {
    expectError(await call('GET', '/nope'), 404, 'not_found');
    expectError(await call('GET', '/api/events/x/y/z'), 404, 'not_found');
    const a = await call('PUT', '/api/events/0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a', { body: {} });
    expectError(a, 405, 'method_not_allowed');
    expect(a.headers.get('allow')).toBe('GET, PATCH');
    expectError(await call('DELETE', '/api/auth/signup'), 405, 'method_not_allowed');
  });
});

describe('bodies', () => {
  it('refuses malformed JSON with the parser\'s position', async () => {
    const a = await call('POST', '/api/auth/signup', { raw: '{"email": "x@example.com",}' });
    expectError(a, 400, 'malformed_json');
    expect(a.body.error.message).toMatch(/position \d+/);
    expectError(await call('POST', '/api/auth/signup', { raw: '' }), 400, 'malformed_json');
  });

  it('wants Content-Type: application/json', async () => {
    expectError(await call('POST', '/api/auth/signup', { raw: '{}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
  });

  it('refuses a huge body with 413 without reading it all', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(2_000_000) });
    expectError(await call('POST', '/api/auth/signup', { raw: huge }), 413, 'body_too_large');
    // The server is still fine afterwards.
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('refuses wrong types and unknown fields with messages that name them', async () => {
    const wrong = await call('POST', '/api/auth/signup', { body: { email: 'ok@example.com', password: 12, name: 'x', role: 'participant' } });
    expectError(wrong, 400, 'invalid_body');
    expect(wrong.body.error.message).toMatch(/^password/);
    const unknown = await call('POST', '/api/auth/signup', { body: { email: 'ok@example.com', password: 'a long password', name: 'x', role: 'participant', admin: true } });
    expectError(unknown, 400, 'unknown_field');
    expect(unknown.body.error.message).toContain('"admin"');
    expectError(await call('POST', '/api/auth/signup', { body: [1, 2] }), 400, 'invalid_body');
  });
});

describe('accounts', () => {
  it('signs up and answers the account with a token', async () => {
    const a = await call('POST', '/api/auth/signup', { body: { email: 'New.Person@Example.com', password: 'a long password', name: 'New', role: 'participant' } });
    expect(a.status).toBe(201);
    expect(a.body.account).toMatchObject({ email: 'new.person@example.com', name: 'New', role: 'participant' });
    expect(a.body.token.split('.')).toHaveLength(3);
  });

  it('refuses a taken email, whatever its case', async () => {
    expectError(await call('POST', '/api/auth/signup', { body: { email: buyer.email.toUpperCase(), password: 'a long password', name: 'x', role: 'participant' } }), 409, 'email_taken');
  });

  it('refuses roles that cannot sign up with 422', async () => {
    for (const role of ['staff', 'operator', 'admin']) {
      expectError(await call('POST', '/api/auth/signup', { body: { email: `${role}@example.com`, password: 'a long password', name: 'x', role } }), 422, 'role_not_allowed');
    }
  });

  it('signs in, and says the same for a wrong password and an unknown email', async () => {
    const ok = await call('POST', '/api/auth/signin', { body: { email: buyer.email, password: 'a long password' } });
    expect(ok.status).toBe(200);
    expect(ok.body.account.id).toBe(buyer.id);
    const wrongPassword = await call('POST', '/api/auth/signin', { body: { email: buyer.email, password: 'wrong password' } });
    const unknownEmail = await call('POST', '/api/auth/signin', { body: { email: 'nobody@example.com', password: 'wrong password' } });
    expectError(wrongPassword, 401, 'invalid_credentials');
    expectError(unknownEmail, 401, 'invalid_credentials');
    expect(wrongPassword.body).toEqual(unknownEmail.body);
  });

  // Sign-in failures (per email and address, never per email alone), sign-up limits and the
  // client address are tested with the limits' clock held still in routes/auth.test.ts.

  it('refuses tampered, foreign and non-bearer tokens with 401', async () => {
    const tampered = buyer.token.slice(0, -3) + (buyer.token.endsWith('abc') ? 'xyz' : 'abc');
    expectError(await call('POST', '/api/events', { token: tampered, body: eventBody() }), 401, 'unauthenticated');
    expectError(await call('POST', '/api/events', { headers: { authorization: 'Basic Zm9vOmJhcg==' }, body: eventBody() }), 401, 'unauthenticated');
    expectError(await call('POST', '/api/events', { body: eventBody() }), 401, 'unauthenticated');
  });
});

describe('events', () => {
  let eventId: string;
  let generalId: string;
  let vipId: string;

  beforeAll(async () => {
    const a = await call('POST', '/api/events', { token: organizerA.token, body: eventBody() });
    expect(a.status).toBe(201);
    eventId = a.body.id;
    generalId = a.body.ticketTypes[0].id;
    vipId = a.body.ticketTypes[1].id;
  });

  it('creates an event and answers the full view', async () => {
    const a = await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ name: 'Another', saleStartsAt: iso(-day), saleEndsAt: iso(10 * day) }) });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      name: 'Another', venue: 'Théâtre municipal', currency: 'TND', perBuyerLimit: 4, holdTtlSeconds: 480, organizerId: organizerA.id, endsAt: null,
      ticketTypes: [
        { name: 'General', price: 25_000, currency: 'TND', capacity: 10, sold: 0, held: 0, available: 10 },
        { name: 'VIP', price: 90_000, currency: 'TND', capacity: 2, sold: 0, held: 0, available: 2 },
      ],
    });
    expect(a.body.startsAt).toMatch(/Z$/);
  });

  it('lets only organizers create events', async () => {
    expectError(await call('POST', '/api/events', { token: buyer.token, body: eventBody() }), 403, 'forbidden');
    expectError(await call('POST', '/api/events', { token: operatorToken, body: eventBody() }), 403, 'forbidden');
  });

  it('refuses bad events with what to fix', async () => {
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ currency: 'XYZ' }) }), 422, 'unknown_currency');
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ currency: 'tnd' }) }), 400, 'invalid_body');
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ endsAt: iso(day) }) }), 400, 'invalid_body');
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ startsAt: 'tomorrow' }) }), 400, 'invalid_body');
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ ticketTypes: [{ name: 'A', price: 1.5, capacity: 1 }] }) }), 400, 'invalid_body');
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ ticketTypes: [{ name: 'A', price: 1, capacity: -5 }] }) }), 400, 'invalid_body');
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ perBuyerLimit: 1e9 }) }), 400, 'invalid_body');
    expectError(await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ shard: 3 }) }), 400, 'unknown_field');
  });

  it('shows an event publicly with live availability', async () => {
    const a = await call('GET', `/api/events/${eventId}`);
    expect(a.status).toBe(200);
    expect(a.body.ticketTypes[0]).toMatchObject({ id: generalId, capacity: 10, sold: 0, held: 0, available: 10 });
    // Upper-case ids name the same event.
    expect((await call('GET', `/api/events/${eventId.toUpperCase()}`)).status).toBe(200);
  });

  it('answers 404 event_not_found for unknown and malformed ids, never 5xx', async () => {
    for (const id of [randomUUID(), 'not-a-uuid', '1%27%20OR%201%3D1', 'x'.repeat(500), '00000000-0000-0000-0000-000000000000']) {
      expectError(await call('GET', `/api/events/${id}`), 404, 'event_not_found');
    }
  });

  it('lists upcoming events for anyone, and an organizer\'s own with ?mine=1', async () => {
    const b = await call('POST', '/api/events', { token: organizerB.token, body: eventBody({ name: 'B event' }) });
    const all = await call('GET', '/api/events');
    expect(all.status).toBe(200);
    const ids = all.body.events.map((e: { id: string }) => e.id);
    expect(ids).toContain(eventId);
    expect(ids).toContain(b.body.id);
    expect(all.body.events.find((e: { id: string }) => e.id === eventId).ticketTypes[0].available).toBeTypeOf('number');
    const mine = await call('GET', '/api/events?mine=1', { token: organizerA.token });
    const mineIds = mine.body.events.map((e: { id: string }) => e.id);
    expect(mineIds).toContain(eventId);
    expect(mineIds).not.toContain(b.body.id);
    expectError(await call('GET', '/api/events?mine=1'), 401, 'unauthenticated');
    expectError(await call('GET', '/api/events?mine=1', { token: buyer.token }), 403, 'forbidden');
  });

  it('lets only the owning organizer patch; others get 404 so ids do not leak', async () => {
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: organizerB.token, body: { name: 'Mine now' } }), 404, 'event_not_found');
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: buyer.token, body: { name: 'Mine now' } }), 403, 'forbidden');
    expectError(await call('PATCH', `/api/events/${eventId}`, { body: { name: 'Mine now' } }), 401, 'unauthenticated');
    expectError(await call('PATCH', `/api/events/${randomUUID()}`, { token: organizerA.token, body: { name: 'x' } }), 404, 'event_not_found');
    expectError(await call('PATCH', '/api/events/nope', { token: organizerA.token, body: { name: 'x' } }), 404, 'event_not_found');
  });

  it('refuses bad patches', async () => {
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: organizerA.token, body: {} }), 400, 'invalid_body');
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: organizerA.token, body: { currency: 'EUR' } }), 400, 'unknown_field');
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: organizerA.token, body: { ticketTypes: [{ id: randomUUID(), price: 1 }] } }), 422, 'unknown_ticket_type');
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: organizerA.token, body: { saleStartsAt: iso(day), saleEndsAt: iso(-day) } }), 400, 'invalid_body');
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: organizerA.token, body: { holdTtlSeconds: 5 } }), 400, 'invalid_body');
  });

  it('patches names, prices and limits, and the engine prices new holds with them', async () => {
    const a = await call('PATCH', `/api/events/${eventId}`, {
      token: organizerA.token,
      body: { name: 'Jazz night (late)', perBuyerLimit: 5, ticketTypes: [{ id: vipId, name: 'VIP lounge', price: 95_000 }] },
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ name: 'Jazz night (late)', perBuyerLimit: 5 });
    expect(a.body.ticketTypes[1]).toMatchObject({ name: 'VIP lounge', price: 95_000 });
    const hold = await call('POST', `/api/events/${eventId}/holds`, { token: buyer2.token, body: { typeId: vipId, quantity: 1 }, headers: { 'idempotency-key': 'vip-1' } });
    expect(hold.status).toBe(201);
    expect(hold.body.price).toBe(95_000);
  });

  it('changes capacity through the engine, and refuses to go below what is sold and held', async () => {
    // buyer2 holds 1 VIP (previous test).
    expectError(await call('PATCH', `/api/events/${eventId}`, { token: organizerA.token, body: { ticketTypes: [{ id: vipId, capacity: 0 }] } }), 409, 'capacity_below_committed');
    const a = await call('PATCH', `/api/events/${eventId}`, { token: organizerA.token, body: { ticketTypes: [{ id: vipId, capacity: 3 }] } });
    expect(a.status).toBe(200);
    expect(a.body.ticketTypes[1]).toMatchObject({ capacity: 3, held: 1, available: 2 });
    const row = await t.db.query('SELECT capacity FROM ticket_types WHERE id = $1', [vipId]);
    expect(row.rows[0].capacity).toBe(3);
  });

  describe('holds', () => {
    const key = () => randomUUID();
    const place = (token: string | undefined, body: unknown, k: string | null = key(), id = eventId) =>
      call('POST', `/api/events/${id}/holds`, { token, body, headers: k === null ? {} : { 'idempotency-key': k } });

    it('places a hold and answers its view', async () => {
      const a = await place(buyer.token, { typeId: generalId, quantity: 2 });
      expect(a.status).toBe(201);
      expect(a.body).toMatchObject({ eventId, typeId: generalId, quantity: 2, price: 25_000, currency: 'TND', status: 'held' });
      expect(a.body.holdId.startsWith(`${eventId}.`)).toBe(true);
      expect(Date.parse(a.body.expiresAt)).toBeGreaterThan(Date.now() + 7 * 60_000);
    });

    it('answers a retry with the same key with the same hold, and a different request with 422', async () => {
      const k = key();
      const first = await place(buyer.token, { typeId: generalId, quantity: 1 }, k);
      const again = await place(buyer.token, { typeId: generalId, quantity: 1 }, k);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body.holdId).toBe(first.body.holdId);
      expectError(await place(buyer.token, { typeId: generalId, quantity: 2 }, k), 422, 'idempotency_key_reused');
    });

    it('requires a participant and an Idempotency-Key', async () => {
      expectError(await place(undefined, { typeId: generalId, quantity: 1 }), 401, 'unauthenticated');
      expectError(await place(organizerA.token, { typeId: generalId, quantity: 1 }), 403, 'forbidden');
      expectError(await place(buyer.token, { typeId: generalId, quantity: 1 }, null), 400, 'idempotency_key_required');
      expectError(await place(buyer.token, { typeId: generalId, quantity: 1 }, 'x'.repeat(201)), 400, 'idempotency_key_required');
    });

    it('refuses absurd quantities and bad type ids with 4xx', async () => {
      for (const quantity of [0, -1, 51, 1e12, 2.5, '3', null, true, [], {}]) {
        const a = await place(buyer.token, { typeId: generalId, quantity });
        expectError(a, 400, 'invalid_body');
        expect(a.body.error.message).toBe('quantity must be an integer from 1 to 50');
      }
      expectError(await place(buyer.token, { typeId: 'general', quantity: 1 }), 400, 'invalid_body');
      expectError(await place(buyer.token, { typeId: generalId, quantity: 1, price: 0 }), 400, 'unknown_field');
      expectError(await place(buyer.token, { typeId: randomUUID(), quantity: 1 }), 422, 'unknown_ticket_type');
    });

    it('answers 404 for holds on unknown or malformed events', async () => {
      expectError(await place(buyer.token, { typeId: generalId, quantity: 1 }, key(), randomUUID()), 404, 'event_not_found');
      expectError(await place(buyer.token, { typeId: generalId, quantity: 1 }, key(), 'nope'), 404, 'event_not_found');
    });

    it('answers sold_out and limit_reached with 409', async () => {
      // buyer holds 3 General (two tests above); the limit is 5.
      expectError(await place(buyer.token, { typeId: generalId, quantity: 3 }), 409, 'limit_reached');
      const other = await signup('participant', 'r');
      const big = await place(other.token, { typeId: generalId, quantity: 5 });
      expect(big.status).toBe(201);
      const third = await signup('participant', 's');
      expectError(await place(third.token, { typeId: generalId, quantity: 5 }), 409, 'sold_out');
    });

    it('refuses holds outside the sale window with 403', async () => {
      const early = await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ saleStartsAt: iso(day) }) });
      expectError(await place(buyer.token, { typeId: early.body.ticketTypes[0].id, quantity: 1 }, key(), early.body.id), 403, 'sale_not_started');
      const late = await call('POST', '/api/events', { token: organizerA.token, body: eventBody({ saleStartsAt: iso(-2 * day), saleEndsAt: iso(-day) }) });
      expectError(await place(buyer.token, { typeId: late.body.ticketTypes[0].id, quantity: 1 }, key(), late.body.id), 403, 'sale_ended');
    });

    it('shows a hold to its owner and an operator, and as missing to anyone else', async () => {
      const h = await place(buyer.token, { typeId: vipId, quantity: 1 });
      expect(h.status).toBe(201);
      const path = `/api/holds/${h.body.holdId}`;
      const own = await call('GET', path, { token: buyer.token });
      expect(own.status).toBe(200);
      expect(own.body).toEqual(h.body);
      expect((await call('GET', path, { token: operatorToken })).status).toBe(200);
      expectError(await call('GET', path, { token: buyer2.token }), 404, 'hold_not_found');
      expectError(await call('GET', path), 401, 'unauthenticated');
      expectError(await call('GET', '/api/holds/not-a-hold', { token: buyer.token }), 404, 'hold_not_found');
      expectError(await call('GET', `/api/holds/${eventId}.AAAAAAAAAAAA`, { token: buyer.token }), 404, 'hold_not_found');
      expectError(await call('GET', `/api/holds/${randomUUID()}.AAAAAAAAAAAA`, { token: buyer.token }), 404, 'hold_not_found');
    });

    it('releases a hold for its owner only', async () => {
      const h = await place(buyer2.token, { typeId: vipId, quantity: 1 });
      expect(h.status).toBe(201);
      const path = `/api/holds/${h.body.holdId}`;
      expectError(await call('DELETE', path, { token: buyer.token }), 404, 'hold_not_found');
      expectError(await call('DELETE', path, { token: organizerA.token }), 403, 'forbidden');
      const released = await call('DELETE', path, { token: buyer2.token });
      expect(released.status).toBe(200);
      expect(released.body).toMatchObject({ holdId: h.body.holdId, status: 'released' });
      const after = await call('DELETE', path, { token: buyer2.token });
      expect(after.status).toBeGreaterThanOrEqual(200);
      expect(after.status).toBeLessThan(500);
    });

    it('confirms a hold for an operator and answers the ticket ids', async () => {
      const h = await place(buyer2.token, { typeId: vipId, quantity: 1 });
      const path = `/api/holds/${h.body.holdId}/confirm`;
      expectError(await call('POST', path, { token: buyer2.token }), 403, 'forbidden');
      const a = await call('POST', path, { token: operatorToken });
      expect(a.status).toBe(200);
      expect(a.body.hold).toMatchObject({ holdId: h.body.holdId, status: 'confirmed' });
      expect(a.body.ticketIds).toHaveLength(1);
      expectError(await call('POST', '/api/holds/garbage/confirm', { token: operatorToken }), 404, 'hold_not_found');
      const view = await call('GET', `/api/events/${eventId}`);
      expect(view.body.ticketTypes[1].sold).toBeGreaterThanOrEqual(1);
    });

    it('counts holds and refusals in /metrics', async () => {
      const text = (await call('GET', '/metrics')).body as string;
      expect(text).toMatch(/tickr_holds_placed_total [1-9]/);
      expect(text).toMatch(/tickr_holds_confirmed_total 1/);
      expect(text).toMatch(/tickr_refusals_total\{reason="sold_out"\} 1/);
    });
  });
});

describe('nothing a client sends is a 5xx', () => {
  it('answers a spray of bad requests with JSON 4xx', async () => {
    const bodies = ['null', '[]', '"x"', '1', '{"a":{"b":[', '{"typeId":null,"quantity":null}', '{"__proto__":{"x":1}}', '\u0000', '{"quantity":1e400}'];
    const paths: [string, string][] = [
      ['POST', '/api/auth/signup'], ['POST', '/api/auth/signin'], ['POST', '/api/events'],
      ['PATCH', `/api/events/${randomUUID()}`], ['POST', `/api/events/${randomUUID()}/holds`],
    ];
    const tokens = [undefined, buyer.token, organizerA.token];
    for (const [method, path] of paths) {
      for (const raw of bodies) {
        for (const token of tokens) {
          const a = await call(method, path, { raw, token, headers: { 'idempotency-key': 'k' } });
          expect(a.status, `${method} ${path} ${raw}`).toBeGreaterThanOrEqual(400);
          expect(a.status, `${method} ${path} ${raw}`).toBeLessThan(500);
          expect(a.body.error.code).toBeTypeOf('string');
        }
      }
    }
  });
});
