import type { Db } from '../db/pool.ts';
import type { Jobs, SqlExecutor } from '../jobs/queues.ts';
import { renderSms, type SmsTemplateData, type SmsTemplateName } from './templates.ts';

export type QueueSms<T extends SmsTemplateName = SmsTemplateName> = {
  /** E.164, as accounts.phone holds it. */
  to: string;
  template: T;
  locale: string;
  data: SmsTemplateData[T];
  /** Idempotency key of the cause, e.g. `tickets_issued:<orderId>`: a second call with it queues nothing. */
  key: string;
};

/**
 * Renders a text into sms_outbox and sends `sms-send` for it, both inside the
 * caller's transaction, as queueEmail does: the SMS exists only if its cause
 * commits, and is queued once per `key` (a repeat answers the first id).
 */
export async function queueSms<T extends SmsTemplateName>(tx: SqlExecutor, jobs: Jobs, sms: QueueSms<T>): Promise<string> {
  const rendered = renderSms(sms.template, sms.locale, sms.data);
  const inserted = await tx.query(
    `INSERT INTO sms_outbox (key, to_phone, template, locale, body, encoding, segments)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (key) DO NOTHING RETURNING id`,
    [sms.key, sms.to, sms.template, sms.locale, rendered.body, rendered.encoding, rendered.segments],
  );
  const row = inserted.rows[0] as { id: string } | undefined;
  if (row === undefined) {
    const first = (await tx.query('SELECT id FROM sms_outbox WHERE key = $1', [sms.key])).rows[0] as { id: string } | undefined;
    // ON CONFLICT saw the row, so it exists: anything else is a broken database.
    if (first === undefined) throw new Error(`SMS ${sms.key} conflicts but cannot be read`);
    return first.id;
  }
  await jobs.send('sms-send', { smsId: row.id }, { key: row.id, tx });
  return row.id;
}

/** A text of the outbox as the dev SMS outbox shows it. */
export type OutboxSms = {
  id: string; to: string; template: string; locale: string; body: string; encoding: string; segments: number; status: string; attempts: number;
  lastError: string | null; providerMessageId: string | null; createdAt: Date; sentAt: Date | null;
};

/** The newest `limit` texts of the outbox, newest first; `to` (E.164) keeps one phone's. For the dev outbox only. */
export async function selectOutboxTexts(db: Db, to: string | null, limit: number): Promise<OutboxSms[]> {
  const { rows } = await db.query<OutboxSms>(
    `SELECT id, to_phone AS "to", template, locale, body, encoding, segments, status, attempts, last_error AS "lastError",
            provider_message_id AS "providerMessageId", created_at AS "createdAt", sent_at AS "sentAt"
       FROM sms_outbox WHERE $1::text IS NULL OR to_phone = $1 ORDER BY created_at DESC, id LIMIT $2`, [to, limit]);
  return rows;
}
