import type { Config } from '../../../engine/src/config.ts';
import { devSmsListMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { HttpError } from '../http/errors.ts';
import { isDirectLoopback, isOperator, refuseStranger } from '../http/operator_access.ts';
import type { Router } from '../http/route.ts';
import { devSmsQuerySchema, parseQuery } from '../validation.ts';

export type DevSmsDeps = { config: Config; db: Db };

type SmsRow = {
  id: string; to_phone: string; template: string; locale: string; body: string; encoding: string; segments: number; status: string;
  attempts: number; last_error: string | null; provider_message_id: string | null; created_at: Date; sent_at: Date | null;
};

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
    const { rows } = await db.query(
      `SELECT id, to_phone, template, locale, body, encoding, segments, status, attempts, last_error, provider_message_id, created_at, sent_at
         FROM sms_outbox WHERE $1::text IS NULL OR to_phone = $1 ORDER BY created_at DESC, id LIMIT $2`, [to, devSmsListMax]);
    const texts = (rows as SmsRow[]).map((r) => ({
      id: r.id, to: r.to_phone, template: r.template, locale: r.locale, body: r.body, encoding: r.encoding, segments: r.segments,
      status: r.status, attempts: r.attempts, lastError: r.last_error, providerMessageId: r.provider_message_id,
      createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null,
    }));
    return { status: 200, body: { texts } };
  });
}
