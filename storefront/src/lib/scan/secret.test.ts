import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateEventKeyPair } from '../../../../engine/src/tickets/keys.ts';
import { encodeTicketSecret } from '../../../../engine/src/tickets/secret.ts';
import { base32Decode, checkOffline, importEventKey, splitSecret, verifySecret } from './secret.ts';

/** Secrets signed by the engine's own code, checked by the browser's: the two must agree byte for byte. */
function ticketOf(eventId: string, version = 0) {
  return { ticketId: randomUUID(), eventId, typeId: randomUUID(), version };
}

describe('ticket secrets checked in the browser', () => {
  const pair = generateEventKeyPair();
  const eventId = randomUUID();

  it('accepts a secret the engine signed and reads its payload', async () => {
    const payload = ticketOf(eventId, 3);
    const secret = encodeTicketSecret(payload, pair.privateKeyPem);
    const verdict = await verifySecret(secret, await importEventKey(pair.publicKeyRaw), eventId);
    expect(verdict).toEqual({ ok: true, payload });
  });

  it('calls a secret signed with another key forged', async () => {
    const other = generateEventKeyPair();
    const secret = encodeTicketSecret(ticketOf(eventId), other.privateKeyPem);
    const verdict = await verifySecret(secret, await importEventKey(pair.publicKeyRaw), eventId);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toBe('forged');
  });

  it('calls a secret with one altered character forged or malformed, never valid', async () => {
    const secret = encodeTicketSecret(ticketOf(eventId), pair.privateKeyPem);
    const key = await importEventKey(pair.publicKeyRaw);
    for (const at of [4, 40, 100, secret.length - 2]) {
      const c = secret[at] === 'A' ? 'B' : 'A';
      const altered = secret.slice(0, at) + c + secret.slice(at + 1);
      const verdict = await verifySecret(altered, key, eventId);
      expect(verdict.ok).toBe(false);
    }
  });

  it('turns away a ticket of another event as wrong_event', async () => {
    const secret = encodeTicketSecret(ticketOf(randomUUID()), pair.privateKeyPem);
    const verdict = await verifySecret(secret, await importEventKey(pair.publicKeyRaw), eventId);
    expect(!verdict.ok && verdict.reason).toBe('wrong_event');
  });

  it('calls anything that is not a canonical TK1 text malformed', async () => {
    const key = await importEventKey(pair.publicKeyRaw);
    for (const text of ['', 'hello', 'TK1:', 'TK2:ABC', `TK1:${'A'.repeat(180)}`, 'TK1:abc']) {
      const verdict = await verifySecret(text, key, eventId);
      expect(!verdict.ok && verdict.reason).toBe('malformed');
    }
    expect(base32Decode('AB')).toBeNull(); // non-zero spare bits
    expect(splitSecret('https://example.com')).toBeNull();
  });

  it('refuses a revoked ticket offline, and only the reissued version of a reissued one admits', async () => {
    const key = await importEventKey(pair.publicKeyRaw);
    const t = ticketOf(eventId, 0);
    const old = encodeTicketSecret(t, pair.privateKeyPem);
    const reissued = encodeTicketSecret({ ...t, version: 1 }, pair.privateKeyPem);
    expect((await checkOffline(old, key, eventId, [{ ticketId: t.ticketId, validVersion: 1 }])).ok).toBe(false);
    expect((await checkOffline(reissued, key, eventId, [{ ticketId: t.ticketId, validVersion: 1 }])).ok).toBe(true);
    const refunded = await checkOffline(reissued, key, eventId, [{ ticketId: t.ticketId, validVersion: null }]);
    expect(!refunded.ok && refunded.reason).toBe('revoked');
    expect((await checkOffline(old, key, eventId, [])).ok).toBe(true);
  });
});
