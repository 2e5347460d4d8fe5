import type { Handle, HandleServerError } from '@sveltejs/kit';
import { dirOf, pickLocale } from '$lib/i18n';
import { localeCookie, sessionCookie } from '$lib/session';
import { accountOfToken } from '$lib/server/session';

/** Fills `locals` (session token, account, locale) and sets the page's lang and direction; nothing else. */
export const handle: Handle = async ({ event, resolve }) => {
  const token = event.cookies.get(sessionCookie) ?? null;
  const account = token === null ? null : accountOfToken(token);
  event.locals.token = account === null ? null : token;
  event.locals.account = account;
  event.locals.locale = pickLocale(event.cookies.get(localeCookie), event.request.headers.get('accept-language'));
  const { locale } = event.locals;
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%tickr.lang%', locale).replace('%tickr.dir%', dirOf(locale)),
  });
};

/** An unexpected server error is logged in full and shown as a sentence (the error page translates an empty message). */
export const handleError: HandleServerError = ({ error, event }) => {
  console.error(`storefront: ${event.request.method} ${event.url.pathname}:`, error);
  return { message: '' };
};
