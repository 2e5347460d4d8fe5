import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';
import type { Ctx } from './route.ts';

/**
 * Who may read what only an operator should (`/metrics`, the dev mail
 * outbox): a signed-in operator, or a process on this machine talking to the
 * edge directly. "Directly" matters: the storefront's server proxies `/api`
 * from loopback for every browser, and says so with X-Forwarded-For; a request
 * that carries it is a stranger's, whatever its peer address.
 */
export function isDirectLoopback(ctx: Ctx): boolean {
  if (ctx.headers['x-forwarded-for'] !== '') return false;
  return isLoopbackAddress(ctx.remoteAddress);
}

export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (a.startsWith('127.') || a === '::1' || a === '0000:0000:0000:0000:0000:0000:0000:0001') return true;
  // IPv4 loopback seen through an IPv6 socket, short or full form.
  return a.startsWith('::ffff:127.') || a.startsWith('0000:0000:0000:0000:0000:ffff:7f');
}

export function isOperator(ctx: Ctx): boolean {
  return ctx.auth !== null && (ctx.auth.role === 'operator' || ctx.auth.role === 'admin');
}

/** The request's bearer equals `token` (compared in constant time), e.g. a Prometheus scraper's TICKR_METRICS_TOKEN. */
export function bearerIs(ctx: Ctx, token: string | null): boolean {
  if (token === null) return false;
  const header = ctx.headers.authorization;
  if (header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return false;
  const given = Buffer.from(header.slice(7).trim());
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** 401 for a caller with no credentials (say how to get in), 403 for one signed in with another role. */
export function refuseStranger(ctx: Ctx, what: string, how: string): never {
  if (ctx.auth === null) throw new HttpError(401, 'unauthenticated', `${what} answers ${how}.`, undefined, { 'www-authenticate': 'Bearer' });
  throw new HttpError(403, 'forbidden', `${what} answers ${how}; you are signed in as ${ctx.auth.role}.`);
}
