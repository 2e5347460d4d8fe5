import type { Db } from '../db/pool.ts';
import { inTransaction } from '../db/transaction.ts';
import type { JobData, JobDeps, Jobs } from '../jobs/queues.ts';
import { recordAlert, resolveAlert } from '../ops/alerts.ts';
import { OrderError } from './errors.ts';
import type { OrderRow } from './orders_db.ts';
import { markPaymentRefunded, type PaymentRow } from './payments_db.ts';
import type { Tx } from './tx.ts';

/**
 * Manual refunds (migration 0011), for a provider whose API cannot give money
 * back (Konnect, `RefundByHand`). The refund job, where it would call the
 * provider, records a manual refund (`manual_required`) and an operator alert
 * instead, in one transaction; the order stays paid and its tickets valid,
 * since no money has moved yet. The operator refunds from the provider's
 * dashboard, then records it (`POST /api/ops/refunds/manual/:orderId`: who,
 * when, the transfer's reference). That marks the payment refunded, resolves
 * the alert and queues the refund job again, which finishes as after any
 * refund: tickets revoked, order refunded, buyer told, stock back (or the
 * seats stay sold if a ticket was used meanwhile).
 */

type Executor = Db | Tx;

export type ManualRefundState = 'manual_required' | 'done';

export type ManualRefundRow = {
  orderId: string;
  paymentId: string;
  provider: string;
  providerRef: string;
  amount: number;
  currency: string;
  reason: JobData['refund']['reason'];
  refundUsedTickets: boolean;
  state: ManualRefundState;
  requestedAt: Date;
  doneAt: Date | null;
  doneBy: string | null;
  reference: string | null;
  note: string | null;
};

const columns = `order_id AS "orderId", payment_id AS "paymentId", provider, provider_ref AS "providerRef", amount, currency,
  reason, refund_used_tickets AS "refundUsedTickets", state, requested_at AS "requestedAt", done_at AS "doneAt", done_by AS "doneBy", reference, note`;

const alertKey = (orderId: string) => `manual-refund:${orderId}`;

export async function selectManualRefund(db: Executor, orderId: string, forUpdate = false): Promise<ManualRefundRow | null> {
  const { rows } = await db.query<ManualRefundRow>(`SELECT ${columns} FROM manual_refunds WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [orderId]);
  return rows[0] ?? null;
}

/** The manual refunds in a state, oldest first: the operator's to-do list (`manual_required`) or what was done. */
export async function selectManualRefunds(db: Executor, state: ManualRefundState, limit: number): Promise<ManualRefundRow[]> {
  const order = state === 'manual_required' ? 'requested_at' : 'done_at DESC';
  const { rows } = await db.query<ManualRefundRow>(`SELECT ${columns} FROM manual_refunds WHERE state = $1 ORDER BY ${order}, order_id LIMIT $2`, [state, limit]);
  return rows;
}

/**
 * The refund job's step when the provider cannot refund: a manual refund and
 * an alert, once per order (a retried job finds the row and changes nothing
 * but the alert's count).
 */
export async function requireManualRefund(
  deps: Pick<JobDeps, 'db' | 'log'>, order: OrderRow, payment: PaymentRow, job: JobData['refund'], why: string,
): Promise<void> {
  const providerRef = payment.providerRef ?? '';
  const amount = `${payment.amount} minor units of ${payment.currency}`;
  const message = `Order ${order.id} must be refunded by hand: ${why}. Refund ${amount} to the buyer from the ${payment.provider} dashboard ` +
    `(payment ${providerRef}), then record it with POST /api/ops/refunds/manual/${order.id} { "reference": "<the transfer's reference>" }; ` +
    'the tickets stay valid until then.';
  const created = await inTransaction(deps.db, async (tx) => {
    const { rowCount } = await tx.query(
      `INSERT INTO manual_refunds (order_id, payment_id, provider, provider_ref, amount, currency, reason, refund_used_tickets)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) DO NOTHING`,
      [order.id, payment.id, payment.provider, providerRef, payment.amount, payment.currency, job.reason, job.refundUsedTickets === true],
    );
    // Recorded done meanwhile (the operator was quick): nothing is left to ask.
    const row = await selectManualRefund(tx, order.id);
    if (row?.state === 'done') return false;
    await recordAlert(tx, { key: alertKey(order.id), kind: 'manual_refund_required', queue: 'refund', orderId: order.id, message, action: 'none' });
    return rowCount === 1;
  });
  if (created) deps.log('error', `ALERT ${message}`);
}

/**
 * The operator refunded by hand: recorded once, with who and the transfer's
 * reference. Repeating it with the same reference answers the same row; another
 * reference is refused (409), since it would hide a second transfer.
 */
export async function completeManualRefund(
  deps: { db: Db; jobs: Jobs }, orderId: string, by: string, input: { reference: string; note?: string | undefined },
): Promise<{ refund: ManualRefundRow; applied: boolean }> {
  return inTransaction(deps.db, async (tx) => {
    const row = await selectManualRefund(tx, orderId, true);
    if (row === null) throw new OrderError(404, 'manual_refund_not_found', 'No manual refund is waiting for this order; GET /api/ops/refunds/manual lists them.');
    if (row.state === 'done') {
      if (row.reference === input.reference) return { refund: row, applied: false };
      throw new OrderError(409, 'manual_refund_done', `This refund was already recorded with reference "${row.reference}"; nothing was changed.`);
    }
    await tx.query(
      `UPDATE manual_refunds SET state = 'done', done_at = now(), done_by = $2, reference = $3, note = $4 WHERE order_id = $1 AND state = 'manual_required'`,
      [orderId, by, input.reference, input.note ?? null],
    );
    await markPaymentRefunded(tx, row.paymentId, `manual:${input.reference}`);
    await resolveAlert(tx, alertKey(orderId));
    // Its own key: the job that asked for the manual refund is done and keeps the order's.
    const job: JobData['refund'] = { orderId, reason: row.reason, ...(row.refundUsedTickets ? { refundUsedTickets: true } : {}) };
    await deps.jobs.send('refund', job, { key: `${orderId}:manual`, tx });
    return { refund: (await selectManualRefund(tx, orderId))!, applied: true };
  });
}
