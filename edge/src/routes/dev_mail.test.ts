import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { HttpError } from '../http/errors.ts';
import type { Ctx, Handler, Router } from '../http/route.ts';
import { mountDevMail } from './dev_mail.ts';

function mounted(env: Record<string, string>): Handler {
  let handler: Handler | undefined;
  const router: Router = { route: (_m, _p, h) => { handler = h; }, finish: () => {} };
  const db = { query: async () => ({ rows: [] }) } as unknown as Db;
  mountDevMail(router, { config: readConfig(env), db });
  return handler!;
}

const ctx = { query: new URLSearchParams() } as unknown as Ctx;

describe('GET /api/dev/mail', () => {
  it('answers the outbox in development', async () => {
    expect(await mounted({})(ctx)).toEqual({ status: 200, body: { emails: [] } });
  });

  it('refuses in production (NODE_ENV=production), where it would show every buyer\'s email', async () => {
    await expect(Promise.resolve(mounted({ NODE_ENV: 'production' })(ctx))).rejects.toBeInstanceOf(HttpError);
  });
});
