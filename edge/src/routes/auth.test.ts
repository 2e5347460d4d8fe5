import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { apiClient, type Answer } from '../../../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { createHashGate, type HashGate } from '../auth/hash_gate.ts';
import { storefrontProof, storefrontProofHeader } from '../http/client_address.ts';
import { createServer, type Server } from '../server.ts';

/**
 * Sign-in and sign-up under abuse, end to end: which address a request is
 * counted under, failures that slow a stranger and never the owner, sign-ups
 * per address, and password hashing that answers 503 rather than stall. Every
 * server here shares one database and engine; each has its own settings.
 */

let t: TestDatabase;
let engine: Engine;
const servers: Server[] = [];
const logged: string[] = [];
const log = (level: string, msg: string) => { logged.push(`${level} ${msg}`); };

/** The limits' clock stands still in these servers: a wait never ends by itself, so no answer depends on timing. */
const stillClock = () => 1_000_000;

async function serve(env: Record<string, string>, hashGate?: HashGate) {
  const config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', NODE_ID: 'auth-test',
    TICKR_TOKEN_SECRET: 'auth-test-secret-auth-test-secret-auth-1', TICKR_LOG_LEVEL: 'warn', ...env,
  });
  const server = createServer({ config, db: t.db, engine, log, limitsNow: stillClock, ...(hashGate ? { hashGate } : {}) });
  servers.push(server);
  const base = `http://127.0.0.1:${await server.listen()}`;
  return apiClient(() => base);
}

function expectError(a: Answer, status: number, code: string): void {
  expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status, code });
  expect(a.body.error.message.length).toBeGreaterThan(10);
}

const password = 'correct horse battery';
/** Each checked password costs a scrypt (tens of ms, a second on a loaded machine), and these tests check a few dozen. */
const signinsTimeoutMs = 180_000;
const signupBody = (name = 'p') => ({ email: `${name}-${randomUUID()}@test.tickr`, password, name, role: 'participant' });

beforeAll(async () => {
  t = await freshDatabase();
  const config = readConfig({ HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', NODE_ID: 'auth-test', TICKR_LOG_LEVEL: 'warn' });
  engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
});

afterAll(async () => {
  for (const server of servers) server.close();
  await engine?.close();
  await t?.drop();
  expect(logged.filter((l) => l.includes('failed:'))).toEqual([]);
});

describe('the client address', () => {
  it('ignores X-Forwarded-For from a peer it does not trust: spoofed sign-ups all count against the peer', async () => {
    const api = await serve({ TICKR_SIGNUPS_PER_ADDRESS: '3' });
    for (let i = 0; i < 3; i++) {
      const made = await api.call('POST', '/api/auth/signup', { body: signupBody(), headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
      expect(made.status).toBe(201);
    }
    const refused = await api.call('POST', '/api/auth/signup', { body: signupBody(), headers: { 'x-forwarded-for': '198.51.100.99' } });
    expectError(refused, 429, 'too_many_signups');
    expect(Number(refused.body.error.retryAfterSeconds)).toBeGreaterThan(0);

    // The node's own storefront proves itself and is believed for one hop; a wrong proof is not.
    const wrongProof = { 'x-forwarded-for': '198.51.100.7', [storefrontProofHeader]: 'x'.repeat(storefrontProof.length) };
    expectError(await api.call('POST', '/api/auth/signup', { body: signupBody(), headers: wrongProof }), 429, 'too_many_signups');
    const viaStorefront = { 'x-forwarded-for': '6.6.6.6, 198.51.100.7', [storefrontProofHeader]: storefrontProof };
    expect((await api.call('POST', '/api/auth/signup', { body: signupBody(), headers: viaStorefront })).status).toBe(201);
  });

  it('with TICKR_TRUST_PROXY=1 counts under the rightmost address that is not the trusted proxy', async () => {
    const api = await serve({ TICKR_TRUST_PROXY: '1', TICKR_SIGNUPS_PER_ADDRESS: '2' });
    // A client writing its own entries to the left of what the proxy appends changes nothing.
    for (const spoofed of ['1.1.1.1', '2.2.2.2']) {
      const made = await api.call('POST', '/api/auth/signup', { body: signupBody(), headers: { 'x-forwarded-for': `${spoofed}, 203.0.113.7` } });
      expect(made.status).toBe(201);
    }
    expectError(await api.call('POST', '/api/auth/signup', { body: signupBody(), headers: { 'x-forwarded-for': '3.3.3.3, 203.0.113.7' } }), 429, 'too_many_signups');
    expect((await api.call('POST', '/api/auth/signup', { body: signupBody(), headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(201);
  });
});

describe('sign-in failures', () => {
  it("a stranger's 50 wrong passwords from other addresses do not stop the owner signing in from theirs", async () => {
    const api = await serve({ TICKR_TRUST_PROXY: '1' });
    const owner = signupBody('owner');
    expect((await api.call('POST', '/api/auth/signup', { body: owner, headers: { 'x-forwarded-for': '203.0.113.50' } })).status).toBe(201);
    const answers: number[] = [];
    for (let i = 0; i < 50; i++) {
      const from = { 'x-forwarded-for': `198.51.100.${1 + (i % 5)}` };
      answers.push((await api.call('POST', '/api/auth/signin', { body: { email: owner.email, password: `guess number ${i}` }, headers: from })).status);
    }
    // Each of the stranger's five addresses had its 5 free failures, then has to wait.
    expect(answers.filter((s) => s === 401).length).toBe(25);
    expect(answers.filter((s) => s === 429).length).toBe(25);
    const signin = await api.call('POST', '/api/auth/signin', { body: { email: owner.email, password }, headers: { 'x-forwarded-for': '203.0.113.50' } });
    expect(signin.status).toBe(200);
  }, signinsTimeoutMs);

  it('slows one address down across accounts, with Retry-After', async () => {
    const api = await serve({ TICKR_TRUST_PROXY: '1' });
    let last: Answer | null = null;
    // 20 failures are free per address (many people may share one), then it waits.
    for (let i = 0; i < 20; i++) {
      last = await api.call('POST', '/api/auth/signin', { body: { email: `nobody-${i}@test.tickr`, password }, headers: { 'x-forwarded-for': '198.51.100.200' } });
      expect(last.status).toBe(401);
    }
    last = await api.call('POST', '/api/auth/signin', { body: { email: 'nobody-else@test.tickr', password }, headers: { 'x-forwarded-for': '198.51.100.200' } });
    expectError(last, 429, 'too_many_attempts');
    // Another address is not slowed by it.
    expectError(await api.call('POST', '/api/auth/signin', { body: { email: 'nobody-else@test.tickr', password }, headers: { 'x-forwarded-for': '198.51.100.201' } }), 401, 'invalid_credentials');
  }, signinsTimeoutMs);
});

describe('password hashing', () => {
  it('answers 503 busy with Retry-After when its line is full, and event reads still answer', async () => {
    const gate = createHashGate({ inFlightMax: 1, waitersMax: 0 });
    const api = await serve({}, gate);
    let release!: () => void;
    const occupied = gate.run('hash', () => new Promise<void>((resolve) => { release = resolve; }));
    const busy = await api.call('POST', '/api/auth/signup', { body: signupBody() });
    expectError(busy, 503, 'busy');
    expectError(await api.call('POST', '/api/auth/signin', { body: { email: 'a@test.tickr', password } }), 503, 'busy');
    expect((await api.call('GET', '/api/events')).status).toBe(200);
    release();
    await occupied;
    expect((await api.call('POST', '/api/auth/signup', { body: signupBody() })).status).toBe(201);
  });
});
