/**
 * The `/api` proxy adds the session token from the httpOnly cookie, so a
 * request that another site's page makes the browser send would act as the
 * signed-in person. Browsers name the page's origin in `Origin` on every
 * cross-origin request and on same-origin ones that change state; a request
 * that changes state and names another origin (or "null", from a sandboxed
 * frame or a privacy-redirected form) is refused. A request without `Origin`
 * is not a browser's cross-site one: payment providers' webhooks (Stripe,
 * Clictopay, Konnect) come from their servers without it and pass.
 * SvelteKit's own check covers form actions (and form-encoded bodies here);
 * this one covers JSON and every other body.
 */
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The 403 for a state-changing request from another origin, or null when it may pass. */
export function foreignOrigin(request: Request, url: URL): Response | null {
  if (!stateChanging.has(request.method)) return null;
  const origin = request.headers.get('origin');
  if (origin === null || origin === url.origin) return null;
  return Response.json(
    { error: { code: 'foreign_origin', message: `Requests that change something must come from this site's own pages (${url.origin}); this one came from ${origin.slice(0, 100)}.` } },
    { status: 403 },
  );
}
