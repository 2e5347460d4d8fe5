import type { RequestEvent } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import { createApi, type Fetch } from '$lib/api';
import { endSession } from '$lib/server/session';

/** Where the server side of the storefront finds the edge's HTTP API. `npm start` sets it to its own edge. */
export function edgeBase(): string {
  return (env.TICKR_API_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
}

type EdgeEvent = Pick<RequestEvent, 'fetch' | 'locals' | 'getClientAddress' | 'cookies'> & { request?: Request };

/** The API as the signed-in person of this request; a token the edge refuses ends the session (see `endSession`). */
export function edge(event: EdgeEvent) {
  return createApi(vouched(event.fetch), edgeBase(), event.locals.token, forwardedFor(event), () => endSession(event));
}

/** The browser's address; a request with none (e.g. a prerender) is not forwarded. */
export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string | null {
  try {
    return event.getClientAddress();
  } catch {
    return null;
  }
}

/** Hops of the browser's own X-Forwarded-For passed on: the edge reads only the right end of the chain. */
const forwardedHopsMax = 8;

/**
 * X-Forwarded-For as a proxy writes it: what reached us, then the address of
 * whoever connected to us. The edge decides which hop to believe
 * (TICKR_TRUST_PROXY); a client's own entries stay on the left, unread.
 */
export function forwardedFor(event: Pick<RequestEvent, 'getClientAddress'> & { request?: Request }): string | null {
  const peer = clientAddress(event);
  if (peer === null) return null;
  const incoming = event.request?.headers.get('x-forwarded-for') ?? '';
  const hops = incoming === '' ? [] : incoming.split(',').map((hop) => hop.trim()).slice(-forwardedHopsMax);
  return [...hops, peer].join(', ');
}

/**
 * `fetchFn` with this process's proof that the call comes from the node's own
 * storefront (set by storefront/serve.ts), so the edge believes the address
 * we forward. Without it (a storefront run apart) the edge judges by
 * TICKR_TRUST_PROXY alone.
 */
export function vouched(fetchFn: Fetch): Fetch {
  const proof = env.TICKR_STOREFRONT_PROOF;
  if (!proof) return fetchFn;
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('x-tickr-storefront', proof);
    return fetchFn(input, { ...init, headers });
  };
}
