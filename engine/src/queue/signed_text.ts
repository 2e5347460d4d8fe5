/**
 * The compact signed text shared by queue tickets and admission tokens:
 * `base64url(utf8(json payload)) + '.' + base64url(mac)`, where
 * `mac = HMAC-SHA256(key, purpose + '.' + payloadPart)`. The purpose string
 * keeps a queue ticket from passing as an admission token under the same key.
 *
 * The MAC is checked, in constant time, before the payload is parsed, so
 * nothing an attacker writes is interpreted until it is known to be ours.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { assert } from '../assert.ts';
import { queueKeyBytesMin, signedTextCharsMax } from './limits.ts';

export type Opened = { ok: true; payload: unknown } | { ok: false; reason: 'malformed' | 'forged' };

const macBytes = 32;
const base64url = /^[A-Za-z0-9_-]+$/;

export function signText(purpose: string, payload: unknown, key: Uint8Array): string {
  assert(key.length >= queueKeyBytesMin, `a signing key is at least ${queueKeyBytesMin} bytes`);
  const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const text = `${payloadPart}.${mac(purpose, payloadPart, key).toString('base64url')}`;
  assert(text.length <= signedTextCharsMax, 'a signed text fits the length limit');
  return text;
}

export function openText(purpose: string, text: string, key: Uint8Array): Opened {
  assert(key.length >= queueKeyBytesMin, `a signing key is at least ${queueKeyBytesMin} bytes`);
  if (typeof text !== 'string' || text.length > signedTextCharsMax) return { ok: false, reason: 'malformed' };
  const parts = text.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [payloadPart, macPart] = parts as [string, string];
  const given = decodeCanonical(macPart);
  if (!decodeCanonical(payloadPart) || !given || given.length !== macBytes) return { ok: false, reason: 'malformed' };
  if (!timingSafeEqual(given, mac(purpose, payloadPart, key))) return { ok: false, reason: 'forged' };
  try {
    return { ok: true, payload: JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) };
  } catch {
    // Only a bug on our side signs text that is not JSON; refuse it all the same.
    return { ok: false, reason: 'malformed' };
  }
}

function mac(purpose: string, payloadPart: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${purpose}.${payloadPart}`, 'utf8').digest();
}

/** Node decodes base64 leniently; accept only the one canonical spelling of each byte string. */
function decodeCanonical(part: string): Buffer | undefined {
  if (!base64url.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

export function isId(value: unknown, charsMax: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= charsMax;
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
