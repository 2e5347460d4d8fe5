/**
 * Limits of the virtual queue, with their reasons. They sit here while the
 * queue is groundwork; when it is wired in they move to engine/src/constants.ts.
 */
import { assert } from '../assert.ts';

/** HMAC-SHA256 keys shorter than the hash output weaken the MAC. */
export const queueKeyBytesMin = 32;
/**
 * Signed texts longer than this are refused unread. A ticket or token is
 * usually about 150 chars; the bound leaves room for two ids at their longest
 * even when JSON escapes every char as six (`\u001f`).
 */
export const signedTextCharsMax = 4_096;
/** Ids in a ticket or token (event, buyer) are short opaque strings. */
export const queueIdCharsMax = 128;
/** Proof of work above this would take a phone minutes; below 1 it is no proof. */
export const powBitsMax = 32;
/** An admission rate above this per minute is no queue at all. */
export const admissionRatePerMinuteMax = 1_000_000;

const payloadBytesWorst = 2 * queueIdCharsMax * 6 + 128;
assert(Math.ceil((payloadBytesWorst * 4) / 3) + 1 + 43 <= signedTextCharsMax, 'a ticket with the longest ids still fits');
