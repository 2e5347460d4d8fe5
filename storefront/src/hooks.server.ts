import { error, redirect, type Handle, type HandleServerError, type RequestEvent } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import { dirOf, pickLocale } from '$lib/i18n';
import { localeCookie, sessionCookie } from '$lib/session';
import { stripeSources, webSocketOrigin, widenCsp, type Sources } from '$lib/server/csp';
import { signinPath } from '$lib/server/paths';
import { paymentProviders } from '$lib/server/providers';
import { accountOfToken, clearSession } from '$lib/server/session';

/**
 * Fills `locals` (session token, account, locale) and sets the page's lang and
 * direction. Around the page it also: refuses the reserved action name, sends
 * a request whose session the edge refused to the sign-in form, and adds the
 * per-request sources to the page's Content-Security-Policy.
 */
export const handle: Handle = async ({ event, resolve }) => {
  const token = event.cookies.get(sessionCookie) ?? null;
  const account = token === null ? null : accountOfToken(token);
  // An expired or unreadable token is a session that ended: the cookie goes with it.
  if (token !== null && account === null) clearSession(event.cookies);
  event.locals.token = account === null ? null : token;
  event.locals.account = account;
  // The sign-in form says so, rather than the page going on as if the person had never signed in (#15).
  event.locals.sessionEnded = token !== null && account === null && event.url.pathname !== '/signin';
  event.locals.locale = pickLocale(event.cookies.get(localeCookie), event.request.headers.get('accept-language'));
  refuseReservedAction(event);
  const { locale } = event.locals;
  const response = await resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%tickr.lang%', locale).replace('%tickr.dir%', dirOf(locale)),
  });
  // Whatever the page made of the edge's 401 (an error page, a failed form), a person whose
  // session ended sees the sign-in form, signed out (`endSession` cleared the cookie).
  if (event.locals.sessionEnded && !(response.status >= 300 && response.status < 400)) redirect(303, signinPath(event.url, { ended: true }));
  // A page that sent the person to sign in itself (no account): the form says the session ended there too.
  const location = response.headers.get('location');
  if (event.locals.sessionEnded && location !== null && /^\/signin(\?|$)/.test(location) && !/[?&]ended=1/.test(location)) {
    response.headers.set('location', `${location}${location.includes('?') ? '&' : '?'}ended=1`);
  }
  const csp = response.headers.get('content-security-policy');
  if (csp !== null) response.headers.set('content-security-policy', widenCsp(csp, pageSources(event.url)));
  return response;
};

/**
 * SvelteKit throws a plain error (a 500) for `POST ?/default`: "default" is
 * reserved for a page's unnamed action and cannot be named. It is answered
 * like any other action name the page lacks.
 */
function refuseReservedAction(event: RequestEvent): void {
  if (event.request.method !== 'POST' || event.url.pathname.startsWith('/api/')) return;
  const name = [...event.url.searchParams.keys()].find((key) => key.startsWith('/'));
  if (name === '/default') error(404, 'No form action is named "default": post to the page itself for its one action.');
}

/** Sources known only per request: the queue's WebSocket on the edge's port, and Stripe where it is configured. */
function pageSources(url: URL): Sources {
  const ws = webSocketOrigin(url, Number(env.TICKR_EDGE_PORT || 3000), env.TICKR_PUBLIC_WS_URL || null);
  const stripe = paymentProviders().includes('stripe') ? stripeSources : {};
  return { ...stripe, 'connect-src': [...(ws === null ? [] : [ws]), ...(stripe['connect-src'] ?? [])] };
}

/** An unexpected server error is logged in full and shown as a sentence (the error page translates an empty message). */
export const handleError: HandleServerError = ({ error, event }) => {
  console.error(`storefront: ${event.request.method} ${event.url.pathname}:`, error);
  return { message: '' };
};
