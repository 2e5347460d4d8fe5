/**
 * A ticket's QR text checked in the browser, offline, with the event's public
 * key: the same format as engine/src/tickets/secret.ts, written without Node's
 * Buffer so it runs in a phone's browser (WebCrypto Ed25519); base32 is the
 * engine's own codec (engine/src/tickets/base32.ts), which has no Buffer either.
 *
 *   TK1:<base32(payload ‖ signature)>
 *   payload (49 bytes) = ticketId (16) ‖ eventId (16) ‖ typeId (16) ‖ version (1)
 *   signature = Ed25519 over `tickr/ticket-secret/v1\0 ‖ payload`
 *
 * The verdict never admits by itself: the revocation list is checked after
 * the signature (`checkOffline`), and the scan is recorded by the caller.
 */
import { base32Decode } from '../../../../engine/src/tickets/base32.ts';

export { base32Decode };
export const ticketSecretPrefix = 'TK1:';
export const payloadBytes = 49;
export const signatureBytes = 64;
const signingContext = new TextEncoder().encode('tickr/ticket-secret/v1\0');

export type TicketPayload = { ticketId: string; eventId: string; typeId: string; version: number };

/** What the door shows: admitted by signature, or why not. */
export type OfflineVerdict =
  | { ok: true; payload: TicketPayload }
  | { ok: false; reason: 'malformed' | 'forged' | 'wrong_event' | 'revoked'; payload: TicketPayload | null };

export type Revocation = { ticketId: string; validVersion: number | null };

export function base64UrlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function uuidText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The parts of a canonical secret, or null. Scanners add stray whitespace and lowercase sometimes: trimmed, never re-cased. */
export function splitSecret(text: string): { body: Uint8Array; signature: Uint8Array; payload: TicketPayload } | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith(ticketSecretPrefix)) return null;
  const bytes = base32Decode(trimmed.slice(ticketSecretPrefix.length));
  if (!bytes || bytes.length !== payloadBytes + signatureBytes) return null;
  const body = bytes.subarray(0, payloadBytes);
  return {
    body,
    signature: bytes.subarray(payloadBytes),
    payload: { ticketId: uuidText(body.subarray(0, 16)), eventId: uuidText(body.subarray(16, 32)), typeId: uuidText(body.subarray(32, 48)), version: body[48]! },
  };
}

/** The event's public key (raw 32 bytes, base64url as `GET /api/events/:id/keys` publishes it) as a WebCrypto key. */
export async function importEventKey(publicKey: string): Promise<CryptoKey> {
  const raw = base64UrlDecode(publicKey);
  if (raw.length !== 32) throw new TypeError('public key must be 32 bytes, base64url');
  return crypto.subtle.importKey('raw', raw as BufferSource, { name: 'Ed25519' }, false, ['verify']);
}

/**
 * Whether `text` is a genuine ticket of `eventId`. A ticket of another event
 * is signed with a key this scanner does not hold, so `wrong_event` is read
 * from the unverified payload: it only says why a ticket is turned away.
 */
export async function verifySecret(text: string, key: CryptoKey, eventId: string): Promise<OfflineVerdict> {
  const parts = splitSecret(text);
  if (!parts) return { ok: false, reason: 'malformed', payload: null };
  if (parts.payload.eventId !== eventId.toLowerCase()) return { ok: false, reason: 'wrong_event', payload: parts.payload };
  const signed = new Uint8Array(signingContext.length + parts.body.length);
  signed.set(signingContext, 0);
  signed.set(parts.body, signingContext.length);
  const good = await crypto.subtle.verify({ name: 'Ed25519' }, key, parts.signature as BufferSource, signed as BufferSource);
  return good ? { ok: true, payload: parts.payload } : { ok: false, reason: 'forged', payload: parts.payload };
}

/** A revoked ticket admits with no secret (`validVersion: null`) or with only its reissued version. */
export function isRevoked(payload: TicketPayload, revoked: readonly Revocation[]): boolean {
  const entry = revoked.find((r) => r.ticketId === payload.ticketId);
  return entry !== undefined && (entry.validVersion === null || entry.validVersion !== payload.version);
}

/** Signature, event and revocation list: everything a scanner can tell without the server. */
export async function checkOffline(text: string, key: CryptoKey, eventId: string, revoked: readonly Revocation[]): Promise<OfflineVerdict> {
  const verdict = await verifySecret(text, key, eventId);
  if (verdict.ok && isRevoked(verdict.payload, revoked)) return { ok: false, reason: 'revoked', payload: verdict.payload };
  return verdict;
}
