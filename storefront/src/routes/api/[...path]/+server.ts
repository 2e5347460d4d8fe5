import type { RequestHandler } from './$types';
import { edgeBase, forwardedFor, vouched } from '$lib/server/edge';
import { foreignOrigin } from '$lib/server/origin';
import { clearSession } from '$lib/server/session';

/**
 * The edge's API under the storefront's own origin, so the browser needs no
 * CORS and never sees the session token: it is added here from the httpOnly
 * cookie. The WebSocket goes to the edge directly (see `wsBase`).
 */
const forwarded = ['accept', 'content-type', 'idempotency-key', 'admission-token', 'stripe-signature', 'if-none-match'];

const proxy: RequestHandler = async (event) => {
  const { request, url, params, locals, fetch } = event;
  const refusal = foreignOrigin(request, url);
  if (refusal !== null) return refusal;
  const headers: Record<string, string> = {};
  for (const name of forwarded) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  if (locals.token) headers.authorization = `Bearer ${locals.token}`;
  const chain = forwardedFor(event);
  if (chain) headers['x-forwarded-for'] = chain;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    const answer = await vouched(fetch)(`${edgeBase()}/api/${params.path}${url.search}`, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
    });
    const out = new Headers();
    // etag and cache-control: a poster is cached as immutable and revalidated by its ETag (edge/src/routes/posters.ts).
    // content-disposition: a CSV download (payout, attendees, the .ics of an order) keeps the file name the edge gives it.
    for (const name of ['content-type', 'retry-after', 'cache-control', 'etag', 'content-disposition']) {
      const value = answer.headers.get(name);
      if (value !== null) out.set(name, value);
    }
    // The edge refused the session's token (expired, or the token secret changed): the cookie goes, so the next page shows signed out.
    if (answer.status === 401 && locals.token && answer.headers.has('www-authenticate')) clearSession(event.cookies);
    return new Response(answer.body, { status: answer.status, headers: out });
  } catch {
    return Response.json({ error: { code: 'unreachable', message: 'The ticket server cannot be reached right now; try again in a moment.' } }, { status: 502 });
  }
};

export const GET = proxy;
export const POST = proxy;
export const PATCH = proxy;
export const PUT = proxy;
export const DELETE = proxy;
