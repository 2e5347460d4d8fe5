import type { Config } from '../../../engine/src/config.ts';
import { devMailListMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';

export type DevMailDeps = { config: Config; db: Db };

/**
 * The dev outbox: every email Tickr rendered, newest first, so a developer
 * (and the storefront's /dev/mail page) can read what buyers would get.
 * Refused in production, where it would expose every buyer's email.
 */
export function mountDevMail(router: Router, { config, db }: DevMailDeps): void {
  router.route('get', '/api/dev/mail', async (ctx) => {
    if (config.production) throw new HttpError(404, 'not_found', 'The dev mail outbox is off in production (NODE_ENV=production).');
    const to = ctx.query.get('to');
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
