import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { documentJsonOf } from '../api/document.ts';
import type { MountedRoute, Router } from '../http/route.ts';

/**
 * The API, described: `GET /api/openapi.json` (built from the route table,
 * edge/src/api/table.ts) and a page to read it at `/api/docs`, drawn by
 * Scalar's API reference. The viewer's script is the standalone browser
 * bundle of the installed @scalar/api-reference, served by this node: the
 * page loads nothing from another origin (its CSP says so).
 */

/** The page's own policy, instead of the edge's `default-src 'none'`: its script and styles, from this origin only. */
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
  + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// The data attributes configure the viewer without an inline script (which the policy forbids).
const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Tickr API</title>
</head>
<body>
  <script id="api-reference" data-url="/api/openapi.json" data-configuration='{"withDefaultFonts":false,"hideClientButton":true,"telemetry":false,"hideDownloadButton":false,"showDeveloperTools":"never"}'></script>
  <script src="/api/docs/scalar.js"></script>
</body>
</html>
`;

let viewer: string | undefined;
function viewerScript(): string {
  if (viewer === undefined) {
    const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
    viewer = readFileSync(join(dirname(entry), 'browser', 'standalone.js'), 'utf8');
  }
  return viewer;
}

/** `mounted`: the routes of this node, read at the first request (after every route is mounted): the document describes those. */
export function mountApiDocs(router: Router, opts: { mounted: () => readonly MountedRoute[] }): void {
  let document: string | undefined;
  router.route('get', '/api/openapi.json', () => ({
    status: 200, body: (document ??= documentJsonOf(opts.mounted())), headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
  }));
  router.route('get', '/api/docs', () => ({
    status: 200, body: page, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pagePolicy },
  }));
  router.route('get', '/api/docs/scalar.js', () => ({
    status: 200, body: viewerScript(), headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' },
  }));
}
