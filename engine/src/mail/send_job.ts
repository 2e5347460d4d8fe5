import { SendRawEmailCommand, SESClient } from '@aws-sdk/client-ses';
import type { Config } from '../config.ts';
import type { JobHandler, SqlExecutor } from '../jobs/queues.ts';
import { inTransaction } from '../db/transaction.ts';
import { qrPng } from '../tickets/qr.ts';
import { buildMime, type Attachment } from './mime.ts';

type OutboxRow = { id: string; to_address: string; template: string; data: { orderId?: string }; subject: string; body_text: string; body_html: string; status: string };

let client: { key: string; ses: SESClient } | null = null;

/** One SES client per configuration (region, endpoint), reused across jobs. Credentials: the SDK's default chain. */
function sesClient(config: Config): SESClient {
  const key = `${config.sesRegion}|${config.sesEndpoint ?? ''}`;
  if (client?.key !== key) {
    client?.ses.destroy();
    client = { key, ses: new SESClient({ region: config.sesRegion!, ...(config.sesEndpoint === null ? {} : { endpoint: config.sesEndpoint }), maxAttempts: 1 }) };
  }
  return client.ses;
}

/** The order's live tickets as QR PNG attachments: the confirmation carries the tickets themselves. */
async function ticketAttachments(tx: SqlExecutor, orderId: string): Promise<Attachment[]> {
  const { rows } = await tx.query(`SELECT id, secret FROM tickets WHERE order_id = $1 AND secret IS NOT NULL AND status <> 'revoked' ORDER BY id`, [orderId]);
  return Promise.all((rows as { id: string; secret: string }[]).map(async (t) => ({
    filename: `ticket-${t.id.slice(0, 8)}.png`, contentType: 'image/png', content: await qrPng(t.secret),
  })));
}

/**
 * `email-send`: delivers one outbox email. With SES configured it goes out
 * through SendRawEmail (order confirmations with their QR codes attached);
 * otherwise it is marked delivered to the dev outbox (`GET /api/dev/mail`).
 *
 * Idempotent per email id: the row is locked while it is sent and a sent
 * email is never sent again. The one window left is a crash after SES
 * accepted the email and before the commit: then it is sent twice, which a
 * buyer forgives; losing it, they would not.
 */
export const sendEmailJob: JobHandler<'email-send'> = async (deps, { emailId }) => {
  try {
    // A failed send commits its attempt and error (so the outbox shows why it is stuck), then throws for pg-boss to retry.
    const failure = await inTransaction(deps.db, async (tx): Promise<unknown> => {
      const row = (await tx.query(
        'SELECT id, to_address, template, data, subject, body_text, body_html, status FROM email_outbox WHERE id = $1 FOR UPDATE', [emailId])).rows[0] as OutboxRow | undefined;
      if (row === undefined) throw new Error('no such email');
      if (row.status === 'sent' || row.status === 'outbox') return null;
      if (deps.config.sesRegion === null) {
        await tx.query(`UPDATE email_outbox SET status = 'outbox', sent_at = now(), attempts = attempts + 1, last_attempt_at = now() WHERE id = $1`, [emailId]);
        return null;
      }
      const attachments = row.template === 'order_confirmation' && row.data.orderId !== undefined ? await ticketAttachments(tx, row.data.orderId) : [];
      const raw = await buildMime({ from: deps.config.mailFrom, to: row.to_address, subject: row.subject, text: row.body_text, html: row.body_html, attachments });
      let messageId: string | undefined;
      try {
        messageId = (await sesClient(deps.config).send(new SendRawEmailCommand({ RawMessage: { Data: raw } }))).MessageId;
      } catch (error) {
        await tx.query('UPDATE email_outbox SET attempts = attempts + 1, last_attempt_at = now(), last_error = $2 WHERE id = $1',
          [emailId, String((error as Error).message ?? error).slice(0, 500)]);
        return error;
      }
      await tx.query(
        `UPDATE email_outbox SET status = 'sent', sent_at = now(), provider_message_id = $2, attempts = attempts + 1, last_attempt_at = now(), last_error = NULL
          WHERE id = $1`, [emailId, messageId ?? null]);
      return null;
    });
    if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message} (queue email-send, email ${emailId})`;
    throw error;
  }
};
