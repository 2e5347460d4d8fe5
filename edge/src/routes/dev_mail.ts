import type { Config } from '../../../engine/src/config.ts';
import { devMailListMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { selectOutboxEmails } from '../../../engine/src/mail/outbox.ts';
import { HttpError } from '../http/errors.ts';
import { isDirectLoopback, isOperator, refuseStranger } from '../http/operator_access.ts';
import type { Router } from '../http/route.ts';
import { devMailQuerySchema, parseQuery } from '../validation.ts';

export type DevMailDeps = { config: Config; db: Db };

/**
 * The dev outbox: every email Tickr rendered, newest first, so a developer
 * can read what buyers would get. It holds every buyer's tickets and links,
 * so even in development it answers only a signed-in operator or a caller on
 * this machine (not through the storefront's proxy); in production, no one.
 */
export function mountDevMail(router: Router, { config, db }: DevMailDeps): void {
  router.route('get', '/api/dev/mail', async (ctx) => {
    if (config.production) throw new HttpError(404, 'not_found', 'The dev mail outbox is off in production (NODE_ENV=production).');
    if (!isDirectLoopback(ctx) && !isOperator(ctx)) refuseStranger(ctx, 'The dev mail outbox', 'a caller on this machine (curl http://127.0.0.1:<PORT>/api/dev/mail) or a signed-in operator');
    const to = parseQuery(devMailQuerySchema, ctx.query).to ?? null;
    const emails = (await selectOutboxEmails(db, to, devMailListMax))
      .map((e) => ({ ...e, createdAt: e.createdAt.toISOString(), sentAt: e.sentAt?.toISOString() ?? null }));
    return { status: 200, body: { emails } };
  });
}
