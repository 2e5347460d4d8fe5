import type { Config } from '../../../engine/src/config.ts';
import { devMailListMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
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
    const { rows } = await db.query(
      `SELECT id, to_address, template, locale, subject, body_text, body_html, status, attempts, last_error, provider_message_id, created_at, sent_at
         FROM email_outbox WHERE $1::text IS NULL OR lower(to_address) = lower($1) ORDER BY created_at DESC, id LIMIT $2`, [to, devMailListMax]);
    const emails = (rows as { id: string; to_address: string; template: string; locale: string; subject: string; body_text: string; body_html: string;
      status: string; attempts: number; last_error: string | null; provider_message_id: string | null; created_at: Date; sent_at: Date | null }[])
      .map((r) => ({
        id: r.id, to: r.to_address, template: r.template, locale: r.locale, subject: r.subject, text: r.body_text, html: r.body_html,
        status: r.status, attempts: r.attempts, lastError: r.last_error, providerMessageId: r.provider_message_id,
        createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null,
      }));
    return { status: 200, body: { emails } };
  });
}
