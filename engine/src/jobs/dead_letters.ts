import { inTransaction } from '../db/transaction.ts';
import { recordAlert } from '../ops/alerts.ts';
import type { JobDeps, QueueName } from './queues.ts';

/** A job that failed its last retry, as its queue's dead-letter worker receives it. */
export type DeadLetter = { queue: QueueName; data: Record<string, unknown>; error: string };
export type DeadLetterHandler = (deps: JobDeps, dead: DeadLetter) => Promise<void>;

/**
 * What happens to a job that exhausted its retries: never a silent row in a
 * dead-letter queue. Every one becomes an operator alert (logged, and shown
 * by `GET /api/ops/status`). A `tickets-issue` that gave up leaves a paid
 * order without tickets, so its money goes back through the one refund path
 * (the `refund` job, keyed by the order), queued in the same transaction as
 * the alert. Idempotent: the alert is keyed by its cause and the refund job
 * by the order.
 */
export const deadLetterJob: DeadLetterHandler = async (deps, dead) => {
  const orderId = typeof dead.data.orderId === 'string' ? dead.data.orderId : null;
  if (dead.queue === 'tickets-issue' && orderId !== null) return ticketsNeverIssued(deps, orderId, dead.error);
  const subject = subjectOf(dead.data);
  const message = `${dead.queue} gave up after its retries on ${subject}: ${dead.error}. ${remedies[dead.queue]}`;
  await recordAlert(deps.db, { key: `dead:${dead.queue}:${subject}`, kind: 'job_dead_lettered', queue: dead.queue, orderId, message, action: 'none' });
  deps.log('error', `ALERT ${message}`);
};

/** What a person should do when a queue gives up on a job. */
const remedies: Record<QueueName, string> = {
  'payment-confirmed': 'The payment succeeded but its hold was not confirmed: confirm the hold or refund the payment by hand.',
  'tickets-issue': 'The order was refunded.',
  'email-send': 'The email is still in email_outbox; check the mail settings (TICKR_SES_*), then resend it.',
  'sms-send': 'The SMS is still in sms_outbox; check the SMS settings (TICKR_SNS_*) and the phone number, then resend it.',
  'event-reminder': 'Ticket holders were not reminded of the event.',
  refund: 'The refund did not go through: refund it at the provider by hand, then mark the order refunded.',
  'payment-poll': 'The payment\'s state is unknown: look it up at the provider.',
  'event-cancel': 'The event is cancelled (no sales, tickets revoked) but its orders were not all queued for refund: see the cause, then run the job again or refund the remaining orders.',
};

async function ticketsNeverIssued(deps: JobDeps, orderId: string, error: string): Promise<void> {
  const outcome = await inTransaction(deps.db, async (tx) => {
    const order = (await tx.query('SELECT status FROM orders WHERE id = $1 FOR UPDATE', [orderId])).rows[0] as { status: string } | undefined;
    // Issued after all (a later run), or refunded meanwhile: nothing is stuck.
    if (order === undefined || order.status !== 'paid') return order?.status ?? 'missing';
    await tx.query(`UPDATE orders SET failure = 'tickets_not_issued', updated_at = now() WHERE id = $1 AND status = 'paid'`, [orderId]);
    await deps.jobs.send('refund', { orderId, reason: 'tickets_not_issued' }, { key: orderId, tx });
    await recordAlert(tx, {
      key: `dead:tickets-issue:${orderId}`, kind: 'job_dead_lettered', queue: 'tickets-issue', orderId, action: 'refund_queued',
      message: `tickets-issue gave up after its retries on paid order ${orderId}: ${error}. Its refund is queued; fix the cause before more orders are paid.`,
    });
    return 'refund_queued';
  });
  if (outcome === 'refund_queued') deps.log('error', `ALERT tickets-issue gave up on paid order ${orderId} (${error}); refund queued`);
  else deps.log('info', `tickets-issue dead letter for order ${orderId}: the order is ${outcome}, nothing to refund`);
}

function subjectOf(data: Record<string, unknown>): string {
  for (const field of ['orderId', 'paymentId', 'emailId', 'smsId', 'eventId'] as const) {
    if (typeof data[field] === 'string') return `${field.replace(/Id$/, '')} ${data[field]}`;
  }
  return JSON.stringify(data).slice(0, 200);
}
