import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAdmissionToken, verifyAdmissionToken, type AdmissionToken } from './admission_token.ts';
import { signQueueTicket } from './queue_ticket.ts';

const key = randomBytes(32);
const now = 1_700_000_000_000;
const token: AdmissionToken = { eventId: 'evt_1', buyer: 'usr_7', maxQuantity: 4, expiresAt: now + 120_000 };
const expected = { eventId: 'evt_1', buyer: 'usr_7', now };

describe('admission token', () => {
  it('admits the buyer it was issued to, on its drop, before it expires', () => {
    expect(verifyAdmissionToken(signAdmissionToken(token, key), key, expected)).toEqual({ ok: true, token });
  });

  it('refuses garbage as malformed', () => {
    expect(verifyAdmissionToken('not a token', key, expected)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAdmissionToken('', key, expected)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a token whose quantity was raised as forged', () => {
    const [payload, mac] = signAdmissionToken(token, key).split('.') as [string, string];
    const raised = Buffer.from(JSON.stringify({ ...token, maxQuantity: 50 })).toString('base64url');
    expect(payload).not.toBe(raised);
    expect(verifyAdmissionToken(`${raised}.${mac}`, key, expected)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a token signed under another key as forged', () => {
    expect(verifyAdmissionToken(signAdmissionToken(token, randomBytes(32)), key, expected)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a queue ticket presented as an admission token as forged', () => {
    const ticket = signQueueTicket({ eventId: 'evt_1', place: 1, buyer: 'usr_7', issuedAt: now }, key);
    expect(verifyAdmissionToken(ticket, key, expected)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a token at and after its expiry as expired', () => {
    const text = signAdmissionToken(token, key);
    expect(verifyAdmissionToken(text, key, { ...expected, now: token.expiresAt - 1 }).ok).toBe(true);
    expect(verifyAdmissionToken(text, key, { ...expected, now: token.expiresAt })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyAdmissionToken(text, key, { ...expected, now: token.expiresAt + 1 })).toEqual({ ok: false, reason: 'expired' });
  });

  it("refuses another drop's token as wrong_event", () => {
    expect(verifyAdmissionToken(signAdmissionToken(token, key), key, { ...expected, eventId: 'evt_2' })).toEqual({
      ok: false,
      reason: 'wrong_event',
    });
  });

  it("refuses another account's token as wrong_buyer", () => {
    expect(verifyAdmissionToken(signAdmissionToken(token, key), key, { ...expected, buyer: 'usr_8' })).toEqual({
      ok: false,
      reason: 'wrong_buyer',
    });
  });

  it('names the wrong drop before the expiry when both apply', () => {
    const text = signAdmissionToken(token, key);
    expect(verifyAdmissionToken(text, key, { eventId: 'evt_2', buyer: 'usr_7', now: token.expiresAt + 1 })).toEqual({
      ok: false,
      reason: 'wrong_event',
    });
  });

  it('refuses to sign a token that allows no ticket', () => {
    expect(() => signAdmissionToken({ ...token, maxQuantity: 0 }, key)).toThrow();
  });
});
