import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytesMax } from '../../engine/src/constants.ts';
import { table, type Req, type Row } from './authorization_table.ts';
import { bodyText, headerValue, pathParam, queryString, wildString } from './testing/fuzz_arbitraries.ts';
import { roles, startWorld, type World } from './testing/world.ts';

/**
 * Nothing a client sends produces a 5xx: every JSON route, with its path
 * parameters, query and body drawn by fast-check (valid-shaped with wild
 * values, or wild throughout), asked of a real node holding the world of the
 * authorization matrix, as any caller. Every 4xx has the one error shape.
 *
 * The routes are the authorization table's (which the matrix test checks
 * against what is mounted). A failure prints fast-check's seed and path;
 * TICKR_FUZZ_SEED=<seed> replays it, and TICKR_FUZZ_RUNS=<n> runs longer.
 */

/** Requests per route: about 50 routes × this stays well under a minute on two busy cores. */
const runsPerRoute = Number(process.env.TICKR_FUZZ_RUNS ?? 24);
/** Not JSON routes: Prometheus text, the health probe (a slow database is a legitimate 503), the bench floor, a forced GC. */
const notJson = new Set(['GET /health', 'GET /metrics', 'GET /bench/hello', 'GET /bench/memory']);
const seed = process.env.TICKR_FUZZ_SEED === undefined ? undefined : Number(process.env.TICKR_FUZZ_SEED);

let w: World;

// One row per route (the first), production rows aside: those are the same routes on another edge.
const routes = [...new Map(table.filter((r) => !r.note.production).map((r) => [`${r.method} ${r.pattern}`, r])).values()]
  .filter((r) => !notJson.has(`${r.method} ${r.pattern}`));

beforeAll(async () => {
  w = await startWorld();
}, 120_000);

afterAll(async () => {
  const bugs = w?.n.logged.filter((l) => l.includes(' failed:')) ?? [];
  await w?.stop();
  // A 500 is logged as "<route> failed: <stack>".
  expect(bugs).toEqual([]);
});

/** The template's value of each path parameter: the real resource the matrix uses. */
function realParams(pattern: string, path: string): string[] {
  const segments = path.split('?')[0]!.split('/');
  return pattern.split('/').flatMap((s, i) => (s.startsWith(':') ? [segments[i]!] : []));
}

type Input = { token: string | null; auth: string | null; params: string[]; query: string; body: string | Uint8Array | undefined; contentType: string; idem: string | null; admission: string | null };

/** A raw body (a poster): the row's real picture, cut short, with bytes overwritten, or any bytes. */
function bytesLike(real: Buffer): fc.Arbitrary<Uint8Array> {
  const damaged = fc.tuple(fc.nat({ max: real.length }), fc.array(fc.tuple(fc.nat({ max: real.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }))
    .map(([cut, flips]) => {
      const copy = Buffer.from(real);
      for (const [at, value] of flips) copy[at] = value;
      return copy.subarray(0, Math.max(cut, 1));
    });
  return fc.oneof(fc.constant(real), damaged, fc.uint8Array({ maxLength: 4096 }));
}
const imageTypes = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('image/png', 'image/jpeg', 'image/webp') }, fc.constantFrom('image/gif', 'application/json', 'text/plain', '', 'image/png; charset=utf-8'));

function inputs(r: Row, template: Req): fc.Arbitrary<Input> {
  const real = realParams(r.pattern, template.path);
  const own = r.query === '' ? [] : [...new URLSearchParams(r.query).keys()];
  const raw = Buffer.isBuffer(template.body);
  const body: fc.Arbitrary<string | Uint8Array | undefined> = template.body === undefined ? fc.constant(undefined)
    : Buffer.isBuffer(template.body) ? bytesLike(template.body)
      : typeof template.body === 'string' ? fc.oneof(fc.constant(template.body), wildString) : bodyText(template.body);
  // Mostly a caller the route lets in, so the input reaches the handler's depths rather than the role check.
  const admitted = roles.filter((_, i) => /^2/.test(r.cells[i]!));
  const role = admitted.length === 0 ? fc.constantFrom(...roles) : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...admitted) }, fc.constantFrom(...roles));
  return fc.record({
    token: role.map((who) => w.token(who)),
    auth: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, headerValue.map((v) => `Bearer ${v}`), fc.constantFrom('Bearer', 'Basic dXNlcjpwYXNz', 'bearer  a.b.c')),
    params: fc.tuple(...real.map(pathParam)),
    query: fc.oneof(fc.constant(r.query === '' ? '' : `?${r.query}`), queryString(own)),
    body,
    contentType: raw ? imageTypes : fc.oneof({ weight: 10, arbitrary: fc.constant('application/json') }, fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/jsonx', '')),
    idem: fc.option(fc.oneof(fc.constant(template.headers?.['idempotency-key'] ?? 'k'), headerValue)),
    admission: fc.option(headerValue),
  });
}

async function ask(r: Row, template: Req, input: Input): Promise<string | null> {
  let i = 0;
  const path = r.pattern.split('/').map((s) => (s.startsWith(':') ? input.params[i++]! : s)).join('/') + input.query;
  const headers: Record<string, string> = { ...template.headers };
  if (input.auth !== null) headers.authorization = input.auth;
  else if (input.token !== null) headers.authorization = `Bearer ${input.token}`;
  if (input.body !== undefined) headers['content-type'] = input.contentType;
  if (input.idem !== null) headers['idempotency-key'] = input.idem;
  if (input.admission !== null) headers['admission-token'] = input.admission;
  const shown = typeof input.body === 'string' ? input.body.slice(0, 300) : input.body === undefined ? '' : `${input.body.length} bytes ${Buffer.from(input.body.subarray(0, 32)).toString('hex')}…`;
  const what = `${r.method} ${path} body=${shown} headers=${JSON.stringify(headers).slice(0, 300)}`;
  let res: Response;
  try {
    res = await fetch(w.n.base + path, { method: r.method, headers, body: input.body, redirect: 'manual' });
  } catch (error) {
    // A body over the limit is answered 413 and the connection closed while the client may still be sending.
    if (input.body !== undefined && Buffer.byteLength(input.body) > bodyBytesMax) return null;
    return `${what}: no answer (${(error as Error).message})`;
  }
  const text = await res.text();
  if (res.status >= 500) return `${what}: answered ${res.status} ${text.slice(0, 300)}`;
  if (res.status >= 400) {
    let body: { error?: { code?: unknown; message?: unknown } } | null = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: reported below.
    }
    if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') return `${what}: ${res.status} without the error shape: ${text.slice(0, 300)}`;
  }
  return null;
}

/** The row's request; a JSON route whose row sends no body is fuzzed from `{}`. */
async function templateOf(r: Row): Promise<Req> {
  const template = await r.build(w);
  const mounted = w.n.server.routes.find((m) => m.method.toUpperCase() === r.method && m.pattern === r.pattern);
  return mounted?.body === 'json' && template.body === undefined ? { ...template, body: {} } : template;
}

it('fuzzes every mounted route but the text ones', () => {
  const fuzzed = new Set(routes.map((r) => `${r.method} ${r.pattern}`));
  const mounted = w.n.server.routes.map((m) => `${m.method.toUpperCase()} ${m.pattern}`).filter((k) => !notJson.has(k));
  expect(mounted.filter((k) => !fuzzed.has(k))).toEqual([]);
});

describe('no request makes a 5xx, and every 4xx has the error shape', () => {
  for (const r of routes) {
    it(`${r.method} ${r.pattern}`, async () => {
      const template = await templateOf(r);
      await fc.assert(fc.asyncProperty(inputs(r, template), async (input) => {
        const problem = await ask(r, template, input);
        if (problem !== null) throw new Error(problem);
      }), { numRuns: runsPerRoute, ...(seed === undefined ? {} : { seed }) });
    }, 120_000);
  }
});
