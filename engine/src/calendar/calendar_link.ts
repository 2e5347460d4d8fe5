import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signed link in the confirmation email that fetches an order's calendar
 * file without signing in: an HMAC-SHA256 of the order id under a key derived
 * from the token secret for this purpose alone (a calendar token can never
 * pass for a session token, nor the reverse). It opens one order's .ics and
 * nothing else; the file names only the event, its place and time, and the
 * order number, so the link does not lapse (a calendar file asked for the
 * week of the event must still come).
 */
const purpose = 'tickr calendar link v1';

function calendarKey(tokenSecret: Uint8Array): Buffer {
  return createHmac('sha256', tokenSecret).update(purpose).digest();
}

export function calendarToken(tokenSecret: Uint8Array, orderId: string): string {
  return createHmac('sha256', calendarKey(tokenSecret)).update(orderId.toLowerCase()).digest('base64url');
}

/** Compared in constant time; anything malformed is simply not valid. */
export function isCalendarToken(tokenSecret: Uint8Array, orderId: string, given: string): boolean {
  const wanted = Buffer.from(calendarToken(tokenSecret, orderId), 'utf8');
  const got = Buffer.from(given, 'utf8');
  return got.length === wanted.length && timingSafeEqual(got, wanted);
}

/** The storefront's path to the file (its /api proxy reaches the edge); the token makes it work from an email. */
export function calendarUrl(publicUrl: string, orderId: string, token?: string): string {
  const path = `${publicUrl}/api/orders/${orderId}/calendar`;
  return token === undefined ? path : `${path}?token=${encodeURIComponent(token)}`;
}
