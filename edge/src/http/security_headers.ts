/**
 * Headers on every answer of the edge, errors included: it serves JSON, CSV and
 * plain text, never a page, so nothing it answers may be sniffed into HTML,
 * framed, load resources or leak the URL as a referrer. HSTS only when the
 * deployment runs behind TLS (`TICKR_WEB_SECURE_COOKIES=1`): over plain HTTP
 * it would be ignored, and on a development host it would pin HTTPS.
 * Computed once per router, so an answer only walks a short array.
 */
export function securityHeaders(opts: { hsts: boolean }): readonly (readonly [string, string])[] {
  const headers: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'],
    ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ];
  if (opts.hsts) headers.push(['strict-transport-security', 'max-age=31536000; includeSubDomains']);
  return headers;
}
