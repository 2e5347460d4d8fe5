import type { BatchJobHandler } from '../jobs/queues.ts';

/**
 * `email-send` for a fetched batch when no SES is configured: every email of
 * the batch goes to the dev outbox with one UPDATE. Idempotent like the
 * per-job handler: an email already sent or in the outbox stays as it is.
 * With SES each email is its own provider call, so the per-job handler
 * (send_job.ts) takes them all; so does it an id the outbox does not have.
 */
export const sendEmailBatch: BatchJobHandler<'email-send'> = async (deps, jobs) => {
  if (deps.config.sesRegion !== null) return new Set();
  const ids = jobs.map((j) => j.data.emailId);
  const { rows } = await deps.db.query<{ id: string }>(
    `WITH moved AS (
       UPDATE email_outbox SET status = 'outbox', sent_at = now(), attempts = attempts + 1, last_attempt_at = now()
        WHERE id = ANY($1::uuid[]) AND status NOT IN ('sent', 'outbox') RETURNING id)
     SELECT id FROM moved UNION SELECT id FROM email_outbox WHERE id = ANY($1::uuid[]) AND status IN ('sent', 'outbox')`, [ids]);
  const present = new Set(rows.map((r) => r.id));
  return new Set(jobs.filter((j) => present.has(j.data.emailId)).map((j) => j.id));
};
