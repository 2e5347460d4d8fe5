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

/** Places per drop: a Map entry and 32 chars each in the worker, about 150 MB at the bound. */
export const queuePlacesMax = 1_000_000;
/** The queue timer: draws at sale start and moves the head this often. */
export const queueTickMs = 250;
/** Joins per address per window: enough for a household behind one NAT, not for a bot farm. */
export const queueJoinsPerAddressMax = 30;
export const queueJoinsWindowMs = 60_000;
/** A proof-of-work challenge is good this long after it was issued. */
export const powChallengeTtlMs = 10 * 60_000;
/** Admission tokens live at least this long (a checkout page loads) and at most this long (a hold's life). */
export const admissionTokenTtlMsMin = 30_000;
export const admissionTokenTtlMsMax = 60 * 60_000;
/** The edge remembers a drop's queue settings this long; a change on another node is seen within it. */
export const dropSettingsCacheMs = 1_000;
/** ...for at most this many drops; past it the cache is dropped whole. */
export const dropSettingsCacheMax = 10_000;

/**
 * Each node asks the owner of a drop with local waiters for its status this
 * often (a safety net: head moves and state changes are pushed, see
 * edge/src/ws/queue_live.ts); twice per published tick, so a repeat tick is
 * never a whole period late...
 */
export const queuePollMs = 500;
/** ...and publishes a tick at least this often, at once when the state changes (sell-out, pause). */
export const queueTickPublishMs = 1_000;
/** A WebSocket waiter must send its hello (queue ticket) within this. */
export const wsHelloTimeoutMs = 10_000;
/** uWS closes a socket silent this long (it pings on its own, so a live client never is). */
export const wsIdleTimeoutSeconds = 60;
/** Bytes buffered per socket before pub/sub skips ticks to it: a slow client drops ticks, never grows memory. */
export const wsBackpressureBytesMax = 16 * 1024;
/** A client message is a hello of one queue ticket: small. */
export const wsMessageBytesMax = signedTextCharsMax + 256;

assert(queueTickPublishMs >= queuePollMs, 'a tick is published no more often than the owner is asked');
assert(admissionTokenTtlMsMin < admissionTokenTtlMsMax);
