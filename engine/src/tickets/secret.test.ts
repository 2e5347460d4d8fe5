import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base32Decode, base32Encode } from './base32.ts';
import { generateEventKeyPair, importPublicKeyRaw } from './keys.ts';
import { decodeTicketSecret, encodePayload, encodeTicketSecret, payloadBytes, ticketSecretPrefix, verifyTicketSecret, type TicketPayload } from './secret.ts';

const event = generateEventKeyPair();
const eventId = randomUUID();
const payload: TicketPayload = { ticketId: randomUUID(), eventId, typeId: randomUUID(), version: 1 };
const secret = encodeTicketSecret(payload, event.privateKeyPem);

/** The secret with one bit flipped in the signed bytes, re-encoded canonically. */
function flipBit(text: string, byteIndex: number): string {
  const bytes = base32Decode(text.slice(ticketSecretPrefix.length))!;
  bytes[byteIndex]! ^= 0x01;
  return ticketSecretPrefix + base32Encode(bytes);
}

describe('base32', () => {
  it('matches the RFC 4648 test vectors, without padding', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(Buffer.from(base32Decode(encoded)!).toString()).toBe(plain);
    }
  });

  it('round-trips any bytes and refuses every non-canonical text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      expect(base32Decode(base32Encode(bytes))).toEqual(new Uint8Array(bytes));
    }));
    // Lowercase, padding, a digit outside the alphabet, impossible lengths, and "f" (MY) with a spare bit set (MZ).
    for (const bad of ['mzxw6', 'MZXW6===', 'MZXW1', 'M', 'MZX', 'MZ']) expect(base32Decode(bad)).toBeNull();
  });
});

describe('ticket secrets', () => {
  it('packs a 49-byte payload and a 64-byte signature into TK1: + 181 QR-alphanumeric characters', () => {
    expect(encodePayload(payload)).toHaveLength(payloadBytes);
    expect(secret).toMatch(/^TK1:[A-Z2-7]{181}$/);
  });

  it('signs and verifies a round trip, giving back the payload', () => {
    expect(verifyTicketSecret(secret, event.publicKeyRaw, eventId)).toEqual({ ok: true, payload });
    expect(verifyTicketSecret(secret, importPublicKeyRaw(event.publicKeyRaw), eventId.toUpperCase())).toEqual({ ok: true, payload });
    expect(decodeTicketSecret(secret)).toEqual({ ok: true, payload });
  });

  it('round-trips any ids and versions', () => {
    const uuid = fc.uuid();
    fc.assert(fc.property(uuid, uuid, uuid, fc.integer({ min: 0, max: 255 }), (ticketId, evId, typeId, version) => {
      const p = { ticketId, eventId: evId, typeId, version };
      const text = encodeTicketSecret(p, event.privateKeyPem);
      expect(verifyTicketSecret(text, event.publicKeyRaw, evId)).toEqual({ ok: true, payload: p });
    }), { numRuns: 50 });
  });

  it('refuses as forged a secret with a bit flipped anywhere in the signature or in the ticket, type or version bytes', () => {
    for (const byteIndex of [0, 15, 32, 47, 48, 49, 80, 112]) {
      expect(verifyTicketSecret(flipBit(secret, byteIndex), event.publicKeyRaw, eventId)).toEqual({ ok: false, reason: 'forged' });
    }
  });

  it('refuses as forged an altered ticket: another ticket id (or version) under the original signature', () => {
    const signature = base32Decode(secret.slice(ticketSecretPrefix.length))!.subarray(payloadBytes);
    for (const altered of [{ ...payload, ticketId: randomUUID() }, { ...payload, version: 2 }]) {
      const text = ticketSecretPrefix + base32Encode(Buffer.concat([encodePayload(altered), signature]));
      expect(decodeTicketSecret(text)).toEqual({ ok: true, payload: altered });
      expect(verifyTicketSecret(text, event.publicKeyRaw, eventId)).toEqual({ ok: false, reason: 'forged' });
    }
  });

  it('refuses as forged a genuine-looking ticket signed by another event key', () => {
    const text = encodeTicketSecret(payload, generateEventKeyPair().privateKeyPem);
    expect(verifyTicketSecret(text, event.publicKeyRaw, eventId)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a ticket of another event as wrong_event, genuine or with its event id altered', () => {
    const other = generateEventKeyPair();
    const otherEventId = randomUUID();
    const otherTicket = encodeTicketSecret({ ...payload, eventId: otherEventId }, other.privateKeyPem);
    expect(verifyTicketSecret(otherTicket, other.publicKeyRaw, otherEventId).ok).toBe(true);
    expect(verifyTicketSecret(otherTicket, event.publicKeyRaw, eventId)).toEqual({ ok: false, reason: 'wrong_event' });
    expect(verifyTicketSecret(flipBit(secret, 20), event.publicKeyRaw, eventId)).toEqual({ ok: false, reason: 'wrong_event' });
  });

  it('refuses malformed text: no prefix, lowercase, bad characters, truncated, padded, extra bytes, non-canonical', () => {
    const body = secret.slice(ticketSecretPrefix.length);
    const lastValue = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(body.at(-1)!);
    const nonCanonical = ticketSecretPrefix + body.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[lastValue ^ 1];
    const malformed = [
      '', 'hello', body, 'TK2:' + body, secret.toLowerCase(), secret.slice(0, -1), secret.slice(0, -8), secret + '=',
      secret + 'AAAAAAAA', secret.slice(0, 10) + '0' + secret.slice(11), secret.slice(0, 10) + '1' + secret.slice(11), nonCanonical,
      'https://example.com/' + secret,
    ];
    for (const text of malformed) {
      expect(verifyTicketSecret(text, event.publicKeyRaw, eventId), text).toEqual({ ok: false, reason: 'malformed' });
      expect(decodeTicketSecret(text)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('never throws on arbitrary scanned text: every string is admitted only if genuine', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map((s) => ticketSecretPrefix + s.toUpperCase())), (text) => {
      const verdict = verifyTicketSecret(text, event.publicKeyRaw, eventId);
      expect(verdict.ok).toBe(false);
    }));
  });

  it('refuses to encode ids that are not UUIDs or a version outside 0..255', () => {
    expect(() => encodeTicketSecret({ ...payload, ticketId: 'ticket-1' }, event.privateKeyPem)).toThrow(/ticketId must be a UUID/);
    expect(() => encodeTicketSecret({ ...payload, version: 256 }, event.privateKeyPem)).toThrow(/0 to 255/);
  });
});
