import { ticketVersionMax } from '../constants.ts';
import { sign, verify, type KeyObject } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.ts';
import { importPrivateKeyPem, importPublicKeyRaw } from './keys.ts';

/**
 * A ticket's secret, as its QR code carries it:
 *
 *   TK1:<base32(payload ‖ signature)>
 *
 * payload (49 bytes) = ticketId (16) ‖ eventId (16) ‖ typeId (16) ‖ version (1),
 * the ids as the raw bytes of their UUIDs; signature = Ed25519 (64 bytes) by
 * the event's key over `signingContext ‖ payload`. 181 base32 characters after
 * the prefix, all in the QR alphanumeric set. `version` goes up when a ticket
 * is reissued; the old secret still verifies and is refused by the
 * revocation list, which is checked elsewhere.
 */
export const ticketSecretPrefix = 'TK1:';
export const payloadBytes = 49;
export const signatureBytes = 64;
/** Signatures made for tickets can never be passed off as signatures of anything else, and vice versa. */
const signingContext = Buffer.from('tickr/ticket-secret/v1\0', 'utf8');
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TicketPayload = { ticketId: string; eventId: string; typeId: string; version: number };

export type DecodedTicketSecret = { ok: true; payload: TicketPayload } | { ok: false; reason: 'malformed' };

export type TicketVerdict =
  | { ok: true; payload: TicketPayload }
  | { ok: false; reason: 'forged' | 'malformed' | 'wrong_event' };

/** Throws a TypeError for ids that are not UUIDs or a version outside 0..255: those are bugs in the caller. */
export function encodePayload(payload: TicketPayload): Buffer {
  const { ticketId, eventId, typeId, version } = payload;
  if (!Number.isInteger(version) || version < 0 || version > ticketVersionMax) {
    throw new TypeError(`ticket version must be an integer from 0 to ${ticketVersionMax} (got ${version})`);
  }
  return Buffer.concat([uuidBytes(ticketId, 'ticketId'), uuidBytes(eventId, 'eventId'), uuidBytes(typeId, 'typeId'), Buffer.of(version)]);
}

export function decodePayload(bytes: Uint8Array): TicketPayload {
  if (bytes.length !== payloadBytes) throw new TypeError(`ticket payload must be ${payloadBytes} bytes (got ${bytes.length})`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return { ticketId: uuidText(b.subarray(0, 16)), eventId: uuidText(b.subarray(16, 32)), typeId: uuidText(b.subarray(32, 48)), version: b[48]! };
}

/** The QR text for a ticket, signed with the event's private key (a KeyObject or its PKCS#8 PEM). */
export function encodeTicketSecret(payload: TicketPayload, privateKey: KeyObject | string): string {
  const key = typeof privateKey === 'string' ? importPrivateKeyPem(privateKey) : privateKey;
  const body = encodePayload(payload);
  const signature = sign(null, Buffer.concat([signingContext, body]), key);
  return ticketSecretPrefix + base32Encode(Buffer.concat([body, signature]));
}

/**
 * The payload, without checking the signature: for display and routing only,
 * never for admission. Anything but a canonical `TK1:` text of the right
 * length is `malformed`.
 */
export function decodeTicketSecret(text: string): DecodedTicketSecret {
  const parts = splitSecret(text);
  return parts ? { ok: true, payload: decodePayload(parts.body) } : { ok: false, reason: 'malformed' };
}

/**
 * Whether a scanned text is a genuine ticket for `expectedEventId`, checked
 * offline with the event's public key (raw 32 bytes, base64url, or an
 * imported KeyObject, which is faster when a gate checks many).
 *
 * A ticket of another event is signed with that event's key, which this
 * scanner does not hold, so `wrong_event` is read from the unverified payload:
 * it only tells staff why a ticket is turned away, and never admits one.
 */
export function verifyTicketSecret(text: string, publicKey: string | KeyObject, expectedEventId: string): TicketVerdict {
  const key = typeof publicKey === 'string' ? importPublicKeyRaw(publicKey) : publicKey;
  const parts = splitSecret(text);
  if (!parts) return { ok: false, reason: 'malformed' };
  const payload = decodePayload(parts.body);
  if (payload.eventId !== expectedEventId.toLowerCase()) return { ok: false, reason: 'wrong_event' };
  if (!verify(null, Buffer.concat([signingContext, parts.body]), key, parts.signature)) return { ok: false, reason: 'forged' };
  return { ok: true, payload };
}

function splitSecret(text: string): { body: Buffer; signature: Buffer } | null {
  if (typeof text !== 'string' || !text.startsWith(ticketSecretPrefix)) return null;
  const decoded = base32Decode(text.slice(ticketSecretPrefix.length));
  if (!decoded || decoded.length !== payloadBytes + signatureBytes) return null;
  const bytes = Buffer.from(decoded.buffer, decoded.byteOffset, decoded.length);
  return { body: bytes.subarray(0, payloadBytes), signature: bytes.subarray(payloadBytes) };
}

function uuidBytes(id: string, name: string): Buffer {
  if (!uuidPattern.test(id)) throw new TypeError(`${name} must be a UUID (got ${JSON.stringify(id)})`);
  return Buffer.from(id.replaceAll('-', ''), 'hex');
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
