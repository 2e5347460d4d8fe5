/**
 * The background jobs (pg-boss queues) and what each carries. Every handler is
 * idempotent per the key named here: pg-boss may run a job again after a crash
 * or a retry, and a provider may deliver the same payment twice.
 */
export const queueNames = ['payment-confirmed', 'tickets-issue', 'email-send', 'sms-send', 'event-reminder', 'refund', 'payment-poll', 'event-cancel'] as const;
export type QueueName = (typeof queueNames)[number];

export type JobData = {
  /** A provider said the order is paid: confirm the hold (or re-hold, or refund). Key: paymentId. */
  'payment-confirmed': { orderId: string; paymentId: string };
  /** Sign secrets and render QR codes for an order's tickets. Key: orderId. */
  'tickets-issue': { orderId: string };
  /** Deliver one outbox email (SES when configured). Key: emailId. */
  'email-send': { emailId: string };
  /** Deliver one outbox SMS (SNS when configured). Key: smsId. */
  'sms-send': { smsId: string };
  /** Remind every ticket holder of an event. Key: eventId + startsAt. */
  'event-reminder': { eventId: string; startsAt: string };
  /** Refund an order through its provider, revoke its tickets, release its stock (unless a ticket was used). Key: orderId (orderId:used for the organizer's override). */
  refund: { orderId: string; reason: 'organizer' | 'buyer' | 'late_payment_sold_out' | 'late_payment_promo_used_up' | 'tickets_not_issued' | 'event_cancelled'; /** The organizer's override: refund even if a ticket was used (its seats stay sold). */ refundUsedTickets?: boolean };
  /** Ask a redirect provider (Clictopay, Konnect) where a payment stands: the buyer may never come back to the return URL. Key: paymentId + attempt. */
  'payment-poll': { paymentId: string; attempt: number };
  /** Stop a cancelled event's sales and queue a refund for each of its paid orders (cancellation/cancel_job.ts). Key: eventId. */
  'event-cancel': { eventId: string };
};

/** A database client inside the caller's transaction: a job sent with it exists only if that transaction commits. */
export type SqlExecutor = { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

export type SendOptions = {
  /** Idempotency key: a second send with the same key while the first is queued or active is dropped. */
  key: string;
  /** Send inside this transaction (the state change that causes the job). */
  tx?: SqlExecutor;
  startAfter?: Date;
};

/** One job of many sent at once (`sendMany`): its data and idempotency key. */
export type ManyJob<Q extends QueueName> = { data: JobData[Q]; key: string; startAfter?: Date };

export interface Jobs {
  send<Q extends QueueName>(queue: Q, data: JobData[Q], options: SendOptions): Promise<void>;
  /** Many jobs of one queue in one statement, each keyed as `send` keys it; inside `tx` like `send`. */
  sendMany<Q extends QueueName>(queue: Q, jobs: ManyJob<Q>[], tx: SqlExecutor): Promise<void>;
}

/** What every handler may use. `now` is the clock, so tests control time. */
export type JobDeps = {
  db: import('../db/pool.ts').Db;
  jobs: Jobs;
  engine: import('../engine.ts').Engine;
  config: import('../config.ts').Config;
  log: import('../log.ts').Logger;
  now: () => number;
};

/** Throws to make pg-boss retry (and, after the last retry, dead-letter) the job. */
export type JobHandler<Q extends QueueName> = (deps: JobDeps, data: JobData[Q]) => Promise<void>;

export type BatchJob<Q extends QueueName> = { id: string; data: JobData[Q] };

/**
 * A whole fetched batch at once (set-based SQL, one transaction). It answers
 * the jobs it settled; every other job of the batch runs through the queue's
 * per-job handler, and so does every job when it throws: a job that fails
 * there fails alone, retried and dead-lettered as usual. So a batch handler
 * must leave no job half done that its per-job handler could not finish.
 */
export type BatchJobHandler<Q extends QueueName> = (deps: JobDeps, jobs: BatchJob<Q>[]) => Promise<Set<string>>;
