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
