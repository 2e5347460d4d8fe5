import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Claims } from '../auth/tokens.ts';
import { HttpError } from '../http/errors.ts';
import type { Ctx, Handler, Router } from '../http/route.ts';
import { mountDevMail } from './dev_mail.ts';

const productionSecrets = { TICKR_TOKEN_SECRET: 'p'.repeat(40), TICKR_TICKET_KEY_SECRET: 'k'.repeat(40) };

function mounted(env: Record<string, string>): Handler {
  let handler: Handler | undefined;
  const router: Router = { route: (_m, _p, h) => { handler = h; }, finish: () => {} };
  const db = { query: async () => ({ rows: [] }) } as unknown as Db;
  mountDevMail(router, { config: readConfig(env), db });
  return handler!;
}

/** A request as the router hands it over: who the peer is, whether a proxy forwarded it, whose token it carries. */
function request(opts: { peer: string; forwardedFor?: string; role?: Claims['role'] }): Ctx {
  return {
    query: new URLSearchParams(),
    remoteAddress: opts.peer,
    headers: { 'x-forwarded-for': opts.forwardedFor ?? '', authorization: '' },
    auth: opts.role === undefined ? null : { sub: 'someone', role: opts.role, name: 'Someone', exp: 0 },
  } as unknown as Ctx;
}

async function status(handler: Handler, ctx: Ctx): Promise<number> {
  try {
    return (await handler(ctx)).status;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe('GET /api/dev/mail', () => {
  it('answers a caller on this machine in development', async () => {
    expect(await mounted({})(request({ peer: '127.0.0.1' }))).toEqual({ status: 200, body: { emails: [] } });
    expect(await status(mounted({}), request({ peer: '::1' }))).toBe(200);
  });

  it('answers a signed-in operator from anywhere in development', async () => {
    expect(await status(mounted({}), request({ peer: '203.0.113.9', role: 'operator' }))).toBe(200);
  });

  it('refuses a stranger on the network, even one the storefront proxies from loopback, because it shows every buyer\'s tickets', async () => {
    expect(await status(mounted({}), request({ peer: '203.0.113.9' }))).toBe(401);
    expect(await status(mounted({}), request({ peer: '127.0.0.1', forwardedFor: '203.0.113.9' }))).toBe(401);
    expect(await status(mounted({}), request({ peer: '203.0.113.9', role: 'participant' }))).toBe(403);
  });

  it('answers no one in production (NODE_ENV=production), not even an operator on this machine', async () => {
    const production = mounted({ NODE_ENV: 'production', ...productionSecrets });
    expect(await status(production, request({ peer: '127.0.0.1' }))).toBe(404);
    expect(await status(production, request({ peer: '127.0.0.1', role: 'operator' }))).toBe(404);
  });
});
