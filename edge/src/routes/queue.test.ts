import { createHash, createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { signAdmissionToken } from '../../../engine/src/queue/admission_token.ts';
import { solve } from '../../../engine/src/queue/pow.ts';
import { signQueueTicket } from '../../../engine/src/queue/queue_ticket.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { createEvent as createKitEvent } from '../../../engine/src/testing/kit.ts';
import { queueKeyOf } from '../queue/keys.ts';
import { createServer, type Server } from '../server.ts';

/**
 * The virtual queue over HTTP, end to end: drop settings, joins, the lottery
 * and its proof, admission tokens and the hold that needs one. A real
 * Postgres, the real engine (worker threads), the uWS server, fetch as client.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are arbitrary JSON, asserted field by field
type Answer = { status: number; body: any };

let t: TestDatabase;
let engine: Engine;
let server: Server;
let base: string;
let key: Buffer;
const logged: string[] = [];
const secret = 'queue-test-secret-queue-test-secret-42';
let addresses = 0;

async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  // Each call from its own address (loopback peers are trusted proxies), so joins stay under the per-address limit.
  const headers: Record<string, string> = { 'x-forwarded-for': `198.51.100.${++addresses % 250}`, ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
}

function expectError(a: Answer, status: number, code: string): void {
  expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status, code });
  expect(a.body.error.message.length).toBeGreaterThan(10);
}

/** Accounts without the password hashing: rows made here (tokens are checked against them), tokens signed by the server's own key. */
async function account(role: 'participant' | 'organizer'): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  await t.db.query(`INSERT INTO accounts (id, email, password_hash, name, role) VALUES ($1, $2, 'x', $3, $3)`, [id, `${id}@test.tickr`, role]);
  if (role === 'organizer') await t.db.query(`INSERT INTO organizers (account_id, display_name) VALUES ($1, 'Org')`, [id]);
  return { id, token: await server.tokens.sign({ sub: id, role, name: role }) };
}

const createEvent = (token: string, over: Record<string, unknown> = {}) => createKitEvent(call, token, { name: 'Drop', perBuyerLimit: 2, ...over });

/** Polls until `check` holds (bounded); never asserts how long it took. */
async function until<T>(get: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await get();
    if (check(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const hold = (token: string, eventId: string, typeId: string, qty: number, admission?: string, idem: string = randomUUID()) =>
  call('POST', `/api/events/${eventId}/holds`, { token, body: { typeId, quantity: qty }, headers: { 'idempotency-key': idem, ...(admission ? { 'admission-token': admission } : {}) } });

let organizer: { id: string; token: string };

beforeAll(async () => {
  t = await freshDatabase();
  const config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', TICKR_TOKEN_SECRET: secret, TICKR_LOG_LEVEL: 'warn', NODE_ID: 'queue-test',
    // The test client stands in for a proxy, so a test can count joins under an address of its own.
    TICKR_TRUST_PROXY: '1',
  });
  const log = (level: string, msg: string) => { logged.push(`${level} ${msg}`); };
  engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  server = createServer({ config, db: t.db, engine, log });
  base = `http://127.0.0.1:${await server.listen()}`;
  key = queueKeyOf(config.tokenSecret);
  organizer = await account('organizer');
});

afterAll(async () => {
  server?.close();
  await engine?.close();
  await t?.drop();
  expect(logged.filter((l) => l.includes('failed:'))).toEqual([]);
});

describe('drop settings', () => {
  it('are the organizer\'s own: another organizer\'s event answers 404, a participant 403', async () => {
    const { id } = await createEvent(organizer.token);
    const other = await account('organizer');
    const buyer = await account('participant');
    expectError(await call('PATCH', `/api/events/${id}/queue/settings`, { token: other.token, body: { queueEnabled: true } }), 404, 'event_not_found');
    expectError(await call('GET', `/api/events/${id}/queue/settings`, { token: other.token }), 404, 'event_not_found');
    expectError(await call('PATCH', `/api/events/${id}/queue/settings`, { token: buyer.token, body: { queueEnabled: true } }), 403, 'forbidden');
    const set = await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true, admissionRatePerMinute: 120, powBits: 4 } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ queueEnabled: true, admissionRatePerMinute: 120, admissionTokenTtlSeconds: 300, perBuyerLimit: 2, powBits: 4, paused: false });
    expect((await call('GET', `/api/events/${id}/queue/settings`, { token: organizer.token })).body).toEqual(set.body);
  });

  it('refuse bad values with a message naming the field', async () => {
    const { id } = await createEvent(organizer.token);
    const a = await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizer.token, body: { admissionRatePerMinute: 0 } });
    expectError(a, 400, 'invalid_body');
    expect(a.body.error.message).toContain('admissionRatePerMinute');
    expectError(await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizer.token, body: { paced: true } }), 400, 'unknown_field');
  });
});

describe('joining and the lottery', () => {
  it('orders arrivals before sale start by a lottery anyone can recompute from the proof; later arrivals FIFO; one place per account', async () => {
    const { id } = await createEvent(organizer.token, { saleStartsAt: new Date(Date.now() + 86_400_000).toISOString() });
    const buyers = await Promise.all(Array.from({ length: 12 }, () => account('participant')));
    expectError(await call('POST', `/api/events/${id}/queue`, { token: buyers[0]!.token, body: {} }), 409, 'queue_off');
    await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true } });

    const before = await call('GET', `/api/events/${id}/queue/proof`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ seed: null, joinedQueueTicketIds: null });
    expect(before.body.commitment).toMatch(/^[0-9a-f]{64}$/);

    const first = [];
    for (const b of buyers) {
      const a = await call('POST', `/api/events/${id}/queue`, { token: b.token, body: {} });
      expect(a.status).toBe(201);
      expect(a.body).toMatchObject({ place: null, queueTicket: null, queue: { state: 'waiting' } });
      first.push(a.body);
    }
    const again = await call('POST', `/api/events/${id}/queue`, { token: buyers[0]!.token, body: {} });
    expect(again.status).toBe(200);
    expect(again.body.queueTicketId).toBe(first[0].queueTicketId);

    // Sale start now: the queue draws on its next tick.
    await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizer.token, body: { saleStartsAt: new Date(Date.now() - 1_000).toISOString() } });
    const proof = (await until(() => call('GET', `/api/events/${id}/queue/proof`), (a) => a.body.seed !== null, 'the draw')).body;

    // Recompute everything from the published data alone.
    const seed = Buffer.from(proof.seed, 'hex');
    expect(createHash('sha256').update(seed).digest('hex')).toBe(before.body.commitment);
    expect(proof.commitment).toBe(before.body.commitment);
    expect(proof.joinedQueueTicketIds).toEqual(first.map((f) => f.queueTicketId));
    let link = Buffer.alloc(32);
    for (const qid of proof.joinedQueueTicketIds) link = createHash('sha256').update(link).update(qid, 'utf8').digest();
    expect(proof.joinedListDigest).toBe(link.toString('hex'));
    const order = [...proof.joinedQueueTicketIds as string[]]
      .map((qid) => ({ qid, k: createHmac('sha256', seed).update(qid, 'utf8').digest('hex') }))
      .sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.qid < y.qid ? -1 : 1))
      .map((e) => e.qid);

    for (const b of buyers) {
      const a = await call('POST', `/api/events/${id}/queue`, { token: b.token, body: {} });
      expect(a.status).toBe(200);
      expect(a.body.place).toBe(order.indexOf(a.body.queueTicketId) + 1);
      expect(typeof a.body.queueTicket).toBe('string');
    }
    const late = await Promise.all([account('participant'), account('participant')]);
    const l1 = await call('POST', `/api/events/${id}/queue`, { token: late[0]!.token, body: {} });
    const l2 = await call('POST', `/api/events/${id}/queue`, { token: late[1]!.token, body: {} });
    expect([l1.body.place, l2.body.place]).toEqual([13, 14]);
  });

  it('limits joins per address', async () => {
    const { id } = await createEvent(organizer.token);
    await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true } });
    const buyer = await account('participant');
    const answers: Answer[] = [];
    for (let i = 0; i < 31; i++) answers.push(await call('POST', `/api/events/${id}/queue`, { token: buyer.token, body: {}, headers: { 'x-forwarded-for': '203.0.113.7' } }));
    expect(answers.slice(0, 30).every((a) => a.status === 201 || a.status === 200)).toBe(true);
    expectError(answers[30]!, 429, 'too_many_joins');
  });

  it('asks for proof of work when the organizer sets it', async () => {
    const { id } = await createEvent(organizer.token);
    await call('PATCH', `/api/events/${id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true, powBits: 8 } });
    const buyer = await account('participant');
    expectError(await call('POST', `/api/events/${id}/queue`, { token: buyer.token, body: {} }), 403, 'pow_required');
    const challenge = (await call('GET', `/api/events/${id}/queue/challenge`, { token: buyer.token })).body;
    expect(challenge.bits).toBe(8);
    expectError(await call('POST', `/api/events/${id}/queue`, { token: buyer.token, body: { pow: { issuedAt: challenge.issuedAt, nonce: 'nope' } } }), 403, 'pow_invalid');
    const nonce = solve(challenge.challenge, 8)!;
    const joined = await call('POST', `/api/events/${id}/queue`, { token: buyer.token, body: { pow: { issuedAt: challenge.issuedAt, nonce } } });
    expect(joined.status).toBe(201);
    expect(joined.body.place).toBe(1);
  });
});

describe('admission', () => {
  let drop: { id: string; typeId: string };
  let buyer: { id: string; token: string };
  let other: { id: string; token: string };
  let ticket: string;
  let token: string;

  beforeAll(async () => {
    drop = await createEvent(organizer.token);
    await call('PATCH', `/api/events/${drop.id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true, admissionRatePerMinute: 600 } });
    [buyer, other] = await Promise.all([account('participant'), account('participant')]);
    const joined = await until(() => call('POST', `/api/events/${drop.id}/queue`, { token: buyer.token, body: {} }), (a) => a.body.place !== null, 'a place');
    ticket = joined.body.queueTicket;
    await call('POST', `/api/events/${drop.id}/queue`, { token: other.token, body: {} });
    const admitted = await until(() => call('POST', `/api/events/${drop.id}/admission`, { token: buyer.token, body: { queueTicket: ticket } }), (a) => a.status !== 409, 'the head');
    expect(admitted.status).toBe(201);
    expect(admitted.body.maxQuantity).toBe(2);
    token = admitted.body.admissionToken;
  });

  it('lets a hold through with a valid token, and refuses a hold without one', async () => {
    expectError(await hold(buyer.token, drop.id, drop.typeId, 1), 403, 'admission_token_required');
    const held = await hold(buyer.token, drop.id, drop.typeId, 2, token, 'first-hold');
    expect(held.status).toBe(201);
    // A retry of the same hold is the same hold; another hold on the same admission is refused.
    expect((await hold(buyer.token, drop.id, drop.typeId, 2, token, 'first-hold')).body.holdId).toBe(held.body.holdId);
    expectError(await hold(buyer.token, drop.id, drop.typeId, 1, token), 409, 'limit_reached');
  });

  it('refuses forged, malformed, expired, other account\'s and other drop\'s tokens with their own codes', async () => {
    const [payload, mac] = token.split('.') as [string, string];
    const flipped = `${payload}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expectError(await hold(other.token, drop.id, drop.typeId, 1, flipped), 403, 'admission_token_forged');
    expectError(await hold(other.token, drop.id, drop.typeId, 1, 'not-a-token'), 400, 'admission_token_malformed');
    expectError(await hold(other.token, drop.id, drop.typeId, 1, token), 403, 'admission_token_wrong_account');
    const expired = signAdmissionToken({ eventId: drop.id, buyer: other.id, maxQuantity: 2, expiresAt: Date.now() - 1 }, key);
    expectError(await hold(other.token, drop.id, drop.typeId, 1, expired), 403, 'admission_token_expired');
    const elsewhere = signAdmissionToken({ eventId: randomUUID(), buyer: other.id, maxQuantity: 2, expiresAt: Date.now() + 60_000 }, key);
    expectError(await hold(other.token, drop.id, drop.typeId, 1, elsewhere), 403, 'admission_token_wrong_drop');
    const one = signAdmissionToken({ eventId: drop.id, buyer: other.id, maxQuantity: 1, expiresAt: Date.now() + 60_000 }, key);
    expectError(await hold(other.token, drop.id, drop.typeId, 2, one), 422, 'admission_quantity_exceeded');
  });

  it('refuses forged, malformed, other account\'s and other drop\'s queue tickets at admission', async () => {
    const [payload, mac] = ticket.split('.') as [string, string];
    const flipped = `${payload}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expectError(await call('POST', `/api/events/${drop.id}/admission`, { token: buyer.token, body: { queueTicket: flipped } }), 403, 'queue_ticket_forged');
    expectError(await call('POST', `/api/events/${drop.id}/admission`, { token: buyer.token, body: { queueTicket: 'x.y.z' } }), 400, 'queue_ticket_malformed');
    expectError(await call('POST', `/api/events/${drop.id}/admission`, { token: other.token, body: { queueTicket: ticket } }), 403, 'queue_ticket_wrong_account');
    const elsewhere = signQueueTicket({ eventId: randomUUID(), place: 1, buyer: buyer.id, issuedAt: Date.now() }, key);
    expectError(await call('POST', `/api/events/${drop.id}/admission`, { token: buyer.token, body: { queueTicket: elsewhere } }), 403, 'queue_ticket_wrong_drop');
    const ahead = signQueueTicket({ eventId: drop.id, place: 999, buyer: buyer.id, issuedAt: Date.now() }, key);
    expectError(await call('POST', `/api/events/${drop.id}/admission`, { token: buyer.token, body: { queueTicket: ahead } }), 409, 'not_admitted_yet');
  });

  it('never blocks internal engine callers (payment jobs re-holding) on a queued drop', async () => {
    const outcome = await engine.send({ kind: 'placeHold', eventId: drop.id, typeId: drop.typeId, qty: 1, buyer: randomUUID(), key: null });
    expect(outcome).toMatchObject({ ok: true, kind: 'held' });
  });

  it('pauses admission at once and says so', async () => {
    await call('PATCH', `/api/events/${drop.id}/queue/settings`, { token: organizer.token, body: { paused: true } });
    expect((await call('GET', `/api/events/${drop.id}/queue`)).body.state).toBe('paused');
    await call('PATCH', `/api/events/${drop.id}/queue/settings`, { token: organizer.token, body: { paused: false } });
    expect((await call('GET', `/api/events/${drop.id}/queue`)).body.state).toBe('open');
  });
});
