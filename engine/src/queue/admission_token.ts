/**
 * An admission token lets one buyer place holds on one drop for a short while,
 * up to `maxQuantity` tickets (the drop's per-buyer limit when it was issued).
 * A waiter earns it by showing a queue ticket at or behind the head.
 */
import { assert } from '../assert.ts';
import { queueIdCharsMax } from './limits.ts';
import { isCount, isId, openText, signText } from './signed_text.ts';

export type AdmissionToken = { eventId: string; buyer: string; maxQuantity: number; expiresAt: number };

export type AdmissionRefusal = 'malformed' | 'forged' | 'expired' | 'wrong_event' | 'wrong_buyer';

export type AdmissionCheck = { ok: true; token: AdmissionToken } | { ok: false; reason: AdmissionRefusal };

export type AdmissionExpectation = { eventId: string; buyer: string; now: number };

const purpose = 'tickr.admission-token.v1';

export function signAdmissionToken(token: AdmissionToken, key: Uint8Array): string {
  assert(isAdmissionToken(token), 'an admission token has ids, a quantity from 1 and an expiry');
  const { eventId, buyer, maxQuantity, expiresAt } = token;
  return signText(purpose, { eventId, buyer, maxQuantity, expiresAt }, key);
}

/**
 * Checks in this order: shape, signature, drop, buyer, expiry. A token for
 * another drop or account is refused as such even when it has also expired,
 * since that is the mistake the caller can act on.
 */
export function verifyAdmissionToken(text: string, key: Uint8Array, expected: AdmissionExpectation): AdmissionCheck {
  const opened = openText(purpose, text, key);
  if (!opened.ok) return opened;
  if (!isAdmissionToken(opened.payload)) return { ok: false, reason: 'malformed' };
  const { eventId, buyer, maxQuantity, expiresAt } = opened.payload;
  if (eventId !== expected.eventId) return { ok: false, reason: 'wrong_event' };
  if (buyer !== expected.buyer) return { ok: false, reason: 'wrong_buyer' };
  if (expected.now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, token: { eventId, buyer, maxQuantity, expiresAt } };
}

function isAdmissionToken(value: unknown): value is AdmissionToken {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isId(v.eventId, queueIdCharsMax) &&
    isId(v.buyer, queueIdCharsMax) &&
    isCount(v.maxQuantity) &&
    v.maxQuantity >= 1 &&
    isCount(v.expiresAt)
  );
}
