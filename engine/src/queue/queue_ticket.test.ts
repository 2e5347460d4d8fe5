import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signQueueTicket, verifyQueueTicket, type QueueTicket } from './queue_ticket.ts';

const key = randomBytes(32);
const ticket: QueueTicket = { eventId: 'evt_1', place: 42, buyer: 'usr_7', issuedAt: 1_700_000_000_000 };

/** Re-sign a tampered payload with the original MAC, as an attacker without the key would. */
function tamper(text: string, change: Partial<QueueTicket>): string {
  const [payload, mac] = text.split('.') as [string, string];
  const altered = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), ...change };
  return `${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${mac}`;
}

describe('queue ticket', () => {
  it('verifies a ticket it signed and gives back the same fields', () => {
    expect(verifyQueueTicket(signQueueTicket(ticket, key), key)).toEqual({ ok: true, ticket });
  });

  it('round-trips any valid ticket', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 128, unit: 'binary-ascii' }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.string({ minLength: 1, maxLength: 128, unit: 'binary-ascii' }),
        fc.nat(),
        (eventId, place, buyer, issuedAt) => {
          const t = { eventId, place, buyer, issuedAt };
          expect(verifyQueueTicket(signQueueTicket(t, key), key)).toEqual({ ok: true, ticket: t });
        },
      ),
    );
  });

  it.each([
    ['place', { place: 1 }],
    ['buyer', { buyer: 'usr_8' }],
    ['event', { eventId: 'evt_2' }],
    ['issue time', { issuedAt: 1 }],
  ])('refuses a ticket whose %s was altered as forged', (_field, change) => {
    expect(verifyQueueTicket(tamper(signQueueTicket(ticket, key), change), key)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a ticket signed under another key as forged', () => {
    expect(verifyQueueTicket(signQueueTicket(ticket, randomBytes(32)), key)).toEqual({ ok: false, reason: 'forged' });
  });

  it.each([
    ['an empty string', ''],
    ['text without a dot', 'abcdef'],
    ['three parts', 'a.b.c'],
    ['non-base64url characters', 'ab+/.cd=='],
    ['a short mac', `${Buffer.from('{}').toString('base64url')}.AAAA`],
    ['an overlong text', `${'a'.repeat(5_000)}.${'b'.repeat(43)}`],
  ])('refuses %s as malformed', (_what, text) => {
    expect(verifyQueueTicket(text, key)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a non-canonical base64url spelling of a genuine ticket as malformed', () => {
    const text = signQueueTicket(ticket, key);
    const mac = text.split('.')[1]!;
    // 32 bytes encode to 43 chars whose last one carries 2 unused bits; flip one of them.
    const last = mac.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(verifyQueueTicket(`${text.slice(0, -1)}${twin}`, key)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign a ticket without a place', () => {
    expect(() => signQueueTicket({ ...ticket, place: 0 }, key)).toThrow();
  });

  it('refuses to sign with a key shorter than 32 bytes', () => {
    expect(() => signQueueTicket(ticket, randomBytes(16))).toThrow(/32 bytes/);
  });
});
