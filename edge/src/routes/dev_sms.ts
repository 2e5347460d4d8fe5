import type { Config } from '../../../engine/src/config.ts';
import { devSmsListMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { selectOutboxTexts } from '../../../engine/src/sms/outbox.ts';
import { HttpError } from '../http/errors.ts';
import { isDirectLoopback, isOperator, refuseStranger } from '../http/operator_access.ts';
import type { Router } from '../http/route.ts';
import { devSmsQuerySchema, parseQuery } from '../validation.ts';

export type DevSmsDeps = { config: Config; db: Db };

/**
 * The dev SMS outbox: every text Tickr rendered, newest first, with the same
 * rules as the dev mail outbox (edge/src/routes/dev_mail.ts): a signed-in
 * operator or a caller on this machine (not through the storefront's proxy)
 * in development; no one in production. `?to=` filters by phone (E.164).
 */
export function mountDevSms(router: Router, { config, db }: DevSmsDeps): void {
  router.route('get', '/api/dev/sms', async (ctx) => {
    if (config.production) throw new HttpError(404, 'not_found', 'The dev SMS outbox is off in production (NODE_ENV=production).');
    if (!isDirectLoopback(ctx) && !isOperator(ctx)) refuseStranger(ctx, 'The dev SMS outbox', 'a caller on this machine (curl http://127.0.0.1:<PORT>/api/dev/sms) or a signed-in operator');
    const to = parseQuery(devSmsQuerySchema, ctx.query).to ?? null;
    const texts = (await selectOutboxTexts(db, to, devSmsListMax))
      .map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), sentAt: t.sentAt?.toISOString() ?? null }));
    return { status: 200, body: { texts } };
  });
}
