import type { Db } from '../db/pool.ts';
import type { Jobs, SqlExecutor } from '../jobs/queues.ts';
import { renderEmail, type TemplateData, type TemplateName } from './templates.ts';

export type { TemplateData, TemplateName } from './templates.ts';

export type QueueEmail<T extends TemplateName = TemplateName> = {
  to: string;
  template: T;
  locale: string;
  data: TemplateData[T];
  /** Idempotency key of the cause, e.g. `order_confirmation:<orderId>`: a second call with it queues nothing. */
  key: string;
};

/**
 * Renders an email into the outbox and sends `email-send` for it, both inside
 * the caller's transaction: the email exists (and will be delivered) only if
 * the state change that causes it commits. Idempotent per `key`: a repeat
 * answers the first email's id and sends no job.
 */
export async function queueEmail<T extends TemplateName>(tx: SqlExecutor, jobs: Jobs, email: QueueEmail<T>): Promise<string> {
  const rendered = renderEmail(email.template, email.locale, email.data);
  const inserted = await tx.query(
    `INSERT INTO email_outbox (key, to_address, template, locale, data, subject, body_text, body_html)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (key) DO NOTHING RETURNING id`,
    [email.key, email.to, email.template, email.locale, JSON.stringify(email.data), rendered.subject, rendered.text, rendered.html],
  );
  const row = inserted.rows[0] as { id: string } | undefined;
  if (row === undefined) {
    const existing = await tx.query('SELECT id FROM email_outbox WHERE key = $1', [email.key]);
    const first = existing.rows[0] as { id: string } | undefined;
    // ON CONFLICT saw the row, so it exists: anything else is a broken database.
    if (first === undefined) throw new Error(`email ${email.key} conflicts but cannot be read`);
    return first.id;
  }
  await jobs.send('email-send', { emailId: row.id }, { key: row.id, tx });
  return row.id;
}

/**
 * queueEmail for many emails in one INSERT and one job insert, inside the
 * caller's transaction. Idempotent per key like queueEmail: an email whose
 * key is in the outbox already is neither rendered again nor sent a job.
 */
export async function queueEmails<T extends TemplateName>(tx: SqlExecutor, jobs: Jobs, emails: QueueEmail<T>[]): Promise<void> {
  if (emails.length === 0) return;
  const rendered = emails.map((e) => renderEmail(e.template, e.locale, e.data));
  const { rows } = await tx.query(
    `INSERT INTO email_outbox (key, to_address, template, locale, data, subject, body_text, body_html)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[], $8::text[])
     ON CONFLICT (key) DO NOTHING RETURNING id`,
    [emails.map((e) => e.key), emails.map((e) => e.to), emails.map((e) => e.template), emails.map((e) => e.locale),
      emails.map((e) => JSON.stringify(e.data)), rendered.map((r) => r.subject), rendered.map((r) => r.text), rendered.map((r) => r.html)],
  );
  await jobs.sendMany('email-send', (rows as { id: string }[]).map((r) => ({ data: { emailId: r.id }, key: r.id })), tx);
}

/** An email of the outbox as the dev outbox page shows it. */
export type OutboxEmail = {
  id: string; to: string; template: string; locale: string; subject: string; text: string; html: string; status: string; attempts: number;
  lastError: string | null; providerMessageId: string | null; createdAt: Date; sentAt: Date | null;
};

/** The newest `limit` emails of the outbox, newest first; `to` (any case) keeps one address's. For the dev outbox only. */
export async function selectOutboxEmails(db: Db, to: string | null, limit: number): Promise<OutboxEmail[]> {
  const { rows } = await db.query<OutboxEmail>(
    `SELECT id, to_address AS "to", template, locale, subject, body_text AS text, body_html AS html, status, attempts, last_error AS "lastError",
            provider_message_id AS "providerMessageId", created_at AS "createdAt", sent_at AS "sentAt"
       FROM email_outbox WHERE $1::text IS NULL OR lower(to_address) = lower($1) ORDER BY created_at DESC, id LIMIT $2`, [to, limit]);
  return rows;
}
