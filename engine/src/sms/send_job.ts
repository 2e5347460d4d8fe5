import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Config } from '../config.ts';
import { inTransaction } from '../db/transaction.ts';
import type { JobHandler } from '../jobs/queues.ts';

type SmsRow = { id: string; to_phone: string; body: string; status: string };

let client: { key: string; sns: SNSClient } | null = null;

/** One SNS client per configuration (region, endpoint), reused across jobs. Credentials: the SDK's default chain. */
function snsClient(config: Config): SNSClient {
  const key = `${config.snsRegion}|${config.snsEndpoint ?? ''}`;
  if (client?.key !== key) {
    client?.sns.destroy();
    // maxAttempts 1: pg-boss retries, with its backoff, and the outbox row counts every attempt.
    client = { key, sns: new SNSClient({ region: config.snsRegion!, ...(config.snsEndpoint === null ? {} : { endpoint: config.snsEndpoint }), maxAttempts: 1 }) };
  }
  return client.sns;
}

/** Transactional (delivery over price, sent at night too), and the sender id where one is configured. */
function attributes(config: Config): Record<string, MessageAttributeValue> {
  const attrs: Record<string, MessageAttributeValue> = { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } };
  if (config.smsSenderId !== null) attrs['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: config.smsSenderId };
  return attrs;
}

/**
 * `sms-send`: delivers one outbox SMS. With SNS configured it goes out through
 * Publish to the phone number; in development without SNS it is marked
 * delivered to the dev outbox (`GET /api/dev/sms`). In production without
 * SNS it fails (retried, then dead-lettered with an alert): a text is never
 * dropped quietly.
 *
 * Idempotent per SMS id: the row is locked while it is sent and a sent SMS is
 * never sent again. As with email, a crash after SNS accepted it and before
 * the commit sends it twice; losing it would be worse.
 */
export const sendSmsJob: JobHandler<'sms-send'> = async (deps, { smsId }) => {
  try {
    // A failed send commits its attempt and error (the outbox shows why it is stuck), then throws for pg-boss to retry.
    const failure = await inTransaction(deps.db, async (tx): Promise<unknown> => {
      const row = (await tx.query('SELECT id, to_phone, body, status FROM sms_outbox WHERE id = $1 FOR UPDATE', [smsId])).rows[0] as SmsRow | undefined;
      if (row === undefined) throw new Error('no such SMS');
      if (row.status === 'sent' || row.status === 'outbox') return null;
      if (deps.config.snsRegion === null) {
        if (deps.config.production) {
          const refused = 'SMS cannot be sent: TICKR_SNS_REGION is not set (production has no dev outbox)';
          await tx.query('UPDATE sms_outbox SET attempts = attempts + 1, last_attempt_at = now(), last_error = $2 WHERE id = $1', [smsId, refused]);
          return new Error(refused);
        }
        await tx.query(`UPDATE sms_outbox SET status = 'outbox', sent_at = now(), attempts = attempts + 1, last_attempt_at = now() WHERE id = $1`, [smsId]);
        return null;
      }
      let messageId: string | undefined;
      try {
        const command = new PublishCommand({ PhoneNumber: row.to_phone, Message: row.body, MessageAttributes: attributes(deps.config) });
        messageId = (await snsClient(deps.config).send(command)).MessageId;
      } catch (error) {
        await tx.query('UPDATE sms_outbox SET attempts = attempts + 1, last_attempt_at = now(), last_error = $2 WHERE id = $1',
          [smsId, String((error as Error).message ?? error).slice(0, 500)]);
        return error;
      }
      await tx.query(
        `UPDATE sms_outbox SET status = 'sent', sent_at = now(), provider_message_id = $2, attempts = attempts + 1, last_attempt_at = now(), last_error = NULL
          WHERE id = $1`, [smsId, messageId ?? null]);
      return null;
    });
    if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message} (queue sms-send, sms ${smsId})`;
    throw error;
  }
};
