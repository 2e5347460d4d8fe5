import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { dev } from '$app/environment';
import { sessionCookie, type Account, type Role } from '$lib/session';

/**
 * The claims in a JWT's payload, for display and navigation only: the edge
 * verifies the signature on every call. An expired or unreadable token reads
 * as signed out.
 */
export function accountOfToken(token: string, nowMs = Date.now()): Account | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; name?: unknown; role?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string' || typeof claims.role !== 'string') return null;
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) return null;
    return { id: claims.sub, name: typeof claims.name === 'string' ? claims.name : '', role: claims.role as Role };
  } catch {
    return null;
  }
}

/** Session cookies live as long as the token; the browser never reads them (httpOnly). */
export function setSession(cookies: Cookies, token: string): void {
  const account = accountOfToken(token);
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { exp?: number };
  const maxAge = typeof payload.exp === 'number' ? Math.max(60, payload.exp - Math.floor(Date.now() / 1000)) : 60 * 60 * 12;
  if (account === null) return;
  // Secure only where TLS is in front: the storefront is served over plain http on a developer's machine.
  cookies.set(sessionCookie, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: !dev && process.env.TICKR_WEB_SECURE_COOKIES === '1', maxAge });
}

export function clearSession(cookies: Cookies): void {
  cookies.delete(sessionCookie, { path: '/' });
}

/**
 * The edge refused this request's token (it expired, or the token secret
 * changed): the person is signed out from here on, and `handle` sends the page
 * to the sign-in form instead of showing a 401 under a header that still
 * names them.
 */
export function endSession(event: Pick<RequestEvent, 'cookies' | 'locals'>): void {
  clearSession(event.cookies);
  event.locals.token = null;
  event.locals.account = null;
  event.locals.sessionEnded = true;
}
