import { cancelEventJob } from '../cancellation/cancel_job.ts';
import { sendEmailBatch } from '../mail/send_batch.ts';
import { sendEmailJob } from '../mail/send_job.ts';
import { sendSmsJob } from '../sms/send_job.ts';
import { eventReminderJob } from '../mail/reminder_job.ts';
import { paymentConfirmedBatch } from '../orders/payment_confirmed_batch.ts';
import { paymentConfirmedJob } from '../orders/payment_confirmed_job.ts';
import { sweepPayments } from '../orders/payment_sweep.ts';
import { paymentPollJob } from '../orders/payment_poll_job.ts';
import { refundJob } from '../orders/refund.ts';
import { issueTicketsBatch } from '../tickets/issue_batch.ts';
import { issueTicketsJob } from '../tickets/issue_job.ts';
import type { Handlers } from './boss.ts';
import { deadLetterJob } from './dead_letters.ts';

/** Which handler runs each queue, and what becomes of a job that exhausted its retries. Every one is idempotent per the key queues.ts names. */
export const handlers: Handlers = {
  'payment-confirmed': paymentConfirmedJob,
  'tickets-issue': issueTicketsJob,
  'email-send': sendEmailJob,
  'sms-send': sendSmsJob,
  'event-reminder': eventReminderJob,
  refund: refundJob,
  'payment-poll': paymentPollJob,
  'event-cancel': cancelEventJob,
  deadLetter: deadLetterJob,
  // Succeeded payments become tickets in sets (no job a payment); what a sweep cannot issue goes to 'payment-confirmed'.
  sweep: sweepPayments,
  // A sell-out's pipeline: one transaction per fetched batch; the per-job handlers above take what a batch leaves.
  batch: {
    'payment-confirmed': paymentConfirmedBatch,
    'tickets-issue': issueTicketsBatch,
    'email-send': sendEmailBatch,
  },
};
