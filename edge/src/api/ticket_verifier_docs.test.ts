import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * The README's "For scanner writers" verifiers, run as written against a
 * ticket a real node issued, so the documentation of ticket secrets cannot
 * drift from engine/src/tickets/secret.ts.
 */

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The fenced block after `<!-- scanner-verifier:NAME -->`. */
function snippet(name: string): string {
  const match = new RegExp(`<!-- scanner-verifier:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (match === null) throw new Error(`README.md has no scanner-verifier:${name} block`);
  return match[1]!;
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0 && spawnSync('base32', ['--version']).status === 0;

let n: OrdersNode;
let secret: string;
let ticket: { id: string; eventId: string; typeId: string };
let publicKey: string;
let otherEventKey: string;

/** One flipped base32 character in the signature part: still well-formed, no longer genuine. */
function tampered(s: string): string {
  const i = s.length - 20;
  return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
}

beforeAll(async () => {
  n = await startOrdersNode();
  const organizer = await n.api.signup('organizer');
  const event = await n.api.createEvent(organizer.token);
  const other = await n.api.createEvent(organizer.token);
  const buyer = await n.api.signup('participant');
  const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 1);
  expect(hold.status).toBe(201);
  const order = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
  expect(order.status).toBe(201);
  const paid = await n.api.call('POST', `/api/payments/simulated/${order.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
  expect(paid.status).toBe(200);
  const issued = await until(async () => {
    const a = await n.api.call('GET', `/api/orders/${order.body.id}/tickets`, { token: buyer.token });
    return a.body.tickets?.[0]?.secret ? a.body.tickets[0] as { id: string; typeId: string; secret: string } : null;
  }, 'the ticket issued');
  secret = issued.secret;
  ticket = { id: issued.id, eventId: event.id, typeId: issued.typeId };
  publicKey = (await n.api.call('GET', `/api/events/${event.id}/keys`)).body.publicKey;
  otherEventKey = (await n.api.call('GET', `/api/events/${other.id}/keys`)).body.publicKey;
}, 60_000);

afterAll(async () => {
  await n?.stop();
});

describe('the README\'s ticket verifiers', () => {
  it('the secret is what the README says it is', () => {
    expect(secret).toMatch(/^TK1:[A-Z2-7]{181}$/);
    expect(publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('WebCrypto: accepts the issued ticket, refuses it altered or under another event\'s key', async () => {
    const verify = new Function('secret', 'publicKey', `${snippet('webcrypto')}\nreturn verifyTicketSecret(secret, publicKey);`) as (s: string, k: string) => Promise<boolean>;
    expect(await verify(secret, publicKey)).toBe(true);
    expect(await verify(tampered(secret), publicKey)).toBe(false);
    expect(await verify(secret, otherEventKey)).toBe(false);
    expect(await verify(secret.toLowerCase(), publicKey)).toBe(false);
  });

  it.skipIf(!hasOpenssl)('OpenSSL: accepts the issued ticket, refuses it altered or under another event\'s key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickr-verifier-'));
    try {
      const run = (s: string, k: string) => spawnSync('bash', ['-c', snippet('openssl')], { cwd: dir, env: { ...process.env, SECRET: s, PUBLIC_KEY: k }, encoding: 'utf8' });
      const genuine = run(secret, publicKey);
      expect(genuine.stderr).toBe('');
      expect(genuine.status).toBe(0);
      expect(genuine.stdout).toContain('Signature Verified Successfully');
      expect(run(tampered(secret), publicKey).status).not.toBe(0);
      expect(run(secret, otherEventKey).status).not.toBe(0);
      // The payload is the ids' raw bytes and the version, as the README says.
      run(secret, publicKey);
      const payload = readFileSync(join(dir, 'payload.bin'));
      expect(payload.subarray(0, 16).toString('hex')).toBe(ticket.id.replaceAll('-', ''));
      expect(payload.subarray(16, 32).toString('hex')).toBe(ticket.eventId.replaceAll('-', ''));
      expect(payload.subarray(32, 48).toString('hex')).toBe(ticket.typeId.replaceAll('-', ''));
      expect(payload[48]).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
