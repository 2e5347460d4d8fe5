import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import type { Claims } from '../auth/tokens.ts';
import { mountHealth } from '../routes/health.ts';
import { HttpError } from './errors.ts';
import { isLoopbackAddress } from './operator_access.ts';
import { EdgeMetrics } from './metrics.ts';
import type { Ctx, Handler, Router } from './route.ts';

const scraperToken = 's'.repeat(40);

/** The /metrics handler as mounted, with a stand-in engine. */
function metricsRoute(): Handler {
  const routes = new Map<string, Handler>();
  const router: Router = { route: (_m, path, h) => { routes.set(path, h); }, finish: () => {} };
  const engine = { registerMetrics: () => {}, status: () => ({}) } as unknown as Engine;
  mountHealth(router, { config: readConfig({ TICKR_METRICS_TOKEN: scraperToken }), db: {} as Db, engine, metrics: new EdgeMetrics() });
  return routes.get('/metrics')!;
}

function request(opts: { peer: string; forwardedFor?: string; authorization?: string; role?: Claims['role'] }): Ctx {
  return {
    remoteAddress: opts.peer,
    headers: { 'x-forwarded-for': opts.forwardedFor ?? '', authorization: opts.authorization ?? '' },
    auth: opts.role === undefined ? null : { sub: 'someone', role: opts.role, name: 'Someone', exp: 0 },
  } as unknown as Ctx;
}

async function status(ctx: Ctx): Promise<number> {
  try {
    return (await metricsRoute()(ctx)).status;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe('/metrics', () => {
  it('answers a scraper on this machine, one with TICKR_METRICS_TOKEN, and an operator', async () => {
    expect(await status(request({ peer: '127.0.0.1' }))).toBe(200);
    expect(await status(request({ peer: '203.0.113.9', authorization: `Bearer ${scraperToken}` }))).toBe(200);
    expect(await status(request({ peer: '203.0.113.9', role: 'operator' }))).toBe(200);
  });

  it('refuses a stranger, a proxied request and a wrong token (it would tell them the size of every sale)', async () => {
    expect(await status(request({ peer: '203.0.113.9' }))).toBe(401);
    expect(await status(request({ peer: '127.0.0.1', forwardedFor: '203.0.113.9' }))).toBe(401);
    expect(await status(request({ peer: '203.0.113.9', authorization: `Bearer ${'t'.repeat(40)}` }))).toBe(401);
    expect(await status(request({ peer: '203.0.113.9', authorization: `Bearer ${scraperToken.slice(1)}` }))).toBe(401);
    expect(await status(request({ peer: '203.0.113.9', role: 'organizer' }))).toBe(403);
  });
});

describe('isLoopbackAddress', () => {
  it('knows loopback in every form uWS may print it, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '0000:0000:0000:0000:0000:0000:0000:0001', '::ffff:127.0.0.1', '0000:0000:0000:0000:0000:ffff:7f00:0001']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['', '10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', 'fd00::2', '0000:0000:0000:0000:0000:ffff:0a00:0001']) expect(isLoopbackAddress(a)).toBe(false);
  });
});
