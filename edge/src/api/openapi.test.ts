import { validate } from '@scalar/openapi-parser';
import fc from 'fast-check';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTokens } from '../auth/tokens.ts';
import { createRouter } from '../http/route.ts';
import { EdgeMetrics } from '../http/metrics.ts';
import { startOrdersNode, type OrdersNode } from '../testing/orders_node.ts';
import { idempotencyKeySchema, requireIdempotencyKey } from '../validation.ts';
import { key, openapiPath } from './describe.ts';
import { event } from './answers.ts';
import { answerProblem } from './recorder.ts';
import { isDescribed, routeTable } from './table.ts';

let n: OrdersNode;

beforeAll(async () => {
  // As `npm start` runs (jobs, simulated payments), with the benchmark routes too: every route there is.
  n = await startOrdersNode({ env: { TICKR_BENCH_ROUTES: '1' } });
}, 60_000);

afterAll(async () => {
  await n?.stop();
});

describe('the route table', () => {
  it('describes every route the node mounted, and describes nothing it did not mount', () => {
    const mounted = new Set(n.server.routes.map((r) => key(r.method, r.pattern)));
    const described = new Set(routeTable.map((d) => key(d.method, d.pattern)));
    expect([...mounted].filter((k) => !described.has(k)), 'mounted without a description').toEqual([]);
    expect([...described].filter((k) => !mounted.has(k)), 'described but not mounted').toEqual([]);
    expect(mounted.size).toBeGreaterThan(50);
  });

  it('keeps a route without a description from being mounted', () => {
    const router = createRouter(uWS.App(), { tokens: createTokens(new Uint8Array(32).fill(7), 60), log: () => {}, metrics: new EdgeMetrics(), described: isDescribed });
    expect(() => router.route('post', '/api/not-described', () => ({ status: 200, body: {} }))).toThrow(/has no description: add an entry/);
  });

  it('says, for every route that reads a JSON body, which schema it is', () => {
    for (const r of n.server.routes.filter((m) => m.body !== 'none')) {
      const doc = routeTable.find((d) => d.method === r.method && d.pattern === r.pattern)!;
      expect(doc.body, `${key(r.method, r.pattern)} reads a body: describe it`).toBeDefined();
      expect(doc.body!.kind === 'raw' || doc.body!.kind === 'optional', key(r.method, r.pattern)).toBe(r.body === 'raw');
    }
  });
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document with every route, its bodies, answers and refusals', async () => {
    const res = await fetch(`${n.base}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const doc = await res.json() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc.openapi).toBe('3.1.0');
    const { valid, errors } = await validate(doc);
    expect(errors).toEqual([]);
    expect(valid).toBe(true);
    // Exactly the routes this node mounted.
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(operations.sort()).toEqual(n.server.routes.map((r) => `${r.method.toUpperCase()} ${openapiPath(r.pattern)}`).sort());
    for (const r of routeTable) {
      const op = doc.paths[openapiPath(r.pattern)]?.[r.method];
      expect(op, key(r.method, r.pattern)).toBeDefined();
      for (const status of Object.keys(r.answers)) expect(op.responses[status], `${key(r.method, r.pattern)} ${status}`).toBeDefined();
      if (r.body) expect(op.requestBody.content['application/json'].schema, key(r.method, r.pattern)).toBeDefined();
      if (r.auth.includes('bearer') && !r.auth.includes('none')) expect(op.responses['401'], key(r.method, r.pattern)).toBeDefined();
    }
    // The request schemas are the validators' own: a limit of the check-in sync shows in the document.
    expect(doc.paths['/api/checkin/sync'].post.requestBody.content['application/json'].schema.properties.scans.maxItems).toBeGreaterThan(0);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'loopback', 'metricsToken', 'stripeSignature']);
  });
});

describe('GET /api/docs', () => {
  it('serves the page and its viewer from this node, under a policy that loads nothing from elsewhere', async () => {
    const page = await fetch(`${n.base}/api/docs`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/default-src 'none'.*default-src/);
    const html = await page.text();
    expect(html).toContain('data-url="/api/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${n.base}/api/docs/scalar.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await script.text()).length).toBeGreaterThan(1_000_000);
  });
});

describe('the recorder of the integration tests', () => {
  const sample = {
    id: '0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a', name: 'A', venue: '', startsAt: '2027-07-10T20:00:00.000Z', endsAt: null, saleStartsAt: null, saleEndsAt: null,
    currency: 'EUR', exponent: 2, perBuyerLimit: 10, holdTtlSeconds: 480, refundPolicy: 'none', refundUntilDays: null, platformFeeBps: 400, reminderHours: 24,
    organizerId: '0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8b', ticketTypes: [], poster: null, status: 'published', publishedAt: '2027-07-01T10:00:00.000Z', description: '', address: '', latitude: null, longitude: null, timeZone: 'Africa/Tunis', mapUrl: null, cancelledAt: null,
  };

  it('passes an answer as described', () => {
    expect(event.safeParse(sample).success).toBe(true);
    expect(answerProblem('GET', `/api/events/${sample.id}`, 200, sample, 'application/json')).toBeNull();
  });

  it('fails an answer with a field the description does not name, a wrong type, a status or a code not described', () => {
    expect(answerProblem('GET', `/api/events/${sample.id}`, 200, { ...sample, secretField: 1 }, 'application/json')).toMatch(/secretField/);
    expect(answerProblem('GET', `/api/events/${sample.id}`, 200, { ...sample, ticketTypes: [{ id: 'x' }] }, 'application/json')).not.toBeNull();
    expect(answerProblem('GET', `/api/events/${sample.id}`, 418, {}, 'application/json')).toMatch(/418 is not described/);
    const refusal = (code: string) => ({ error: { code, message: 'm' } });
    expect(answerProblem('GET', `/api/events/${sample.id}`, 404, refusal('event_not_found'), 'application/json')).toBeNull();
    expect(answerProblem('GET', `/api/events/${sample.id}`, 404, refusal('hold_not_found'), 'application/json')).not.toBeNull();
  });
});

describe('the Idempotency-Key header', () => {
  it('is accepted by the hot path\'s hand-written check exactly when its described schema accepts it', () => {
    const accepts = (k: string) => { try { requireIdempotencyKey(k); return true; } catch { return false; } };
    const keys = fc.oneof(fc.string({ maxLength: 210 }), fc.string({ unit: fc.constantFrom(' ', '!', '~', 'a', '\x7f', '\x1f', 'é'), maxLength: 205 }), fc.uuid());
    fc.assert(fc.property(keys, (k) => accepts(k) === idempotencyKeySchema.safeParse(k).success));
    expect(z.toJSONSchema(idempotencyKeySchema)).toMatchObject({ maxLength: 200 });
  });
});
