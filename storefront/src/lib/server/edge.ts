import type { RequestEvent } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import { createApi } from '$lib/api';
import { endSession } from '$lib/server/session';

/** Where the server side of the storefront finds the edge's HTTP API. `npm start` sets it to its own edge. */
export function edgeBase(): string {
  return (env.TICKR_API_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
}

/** The API as the signed-in person of this request; a token the edge refuses ends the session (see `endSession`). */
export function edge(event: Pick<RequestEvent, 'fetch' | 'locals' | 'getClientAddress' | 'cookies'>) {
  return createApi(event.fetch, edgeBase(), event.locals.token, clientAddress(event), () => endSession(event));
}

/** The browser's address; a request with none (e.g. a prerender) is not forwarded. */
export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string | null {
  try {
    return event.getClientAddress();
  } catch {
    return null;
  }
}
