import type { Db } from '../db/pool.ts';
import type { Tx } from './tx.ts';

/** Small named queries on `payments` and `provider_events`, one statement each. */

type Executor = Db | Tx;

export type PaymentStatus = 'created' | 'succeeded' | 'failed' | 'refunded';

export type PaymentRow = {
  id: string;
  orderId: string;
  provider: string;
  providerRef: string | null;
  status: PaymentStatus;
  amount: number;
  currency: string;
  redirectUrl: string | null;
  clientSecret: string | null;
  refundRef: string | null;
  createdAt: Date;
  capturedAt: Date | null;
  refundedAt: Date | null;
};

const paymentColumns = `p.id, p.order_id AS "orderId", p.provider, p.provider_ref AS "providerRef", p.status, p.amount, p.currency,
  p.redirect_url AS "redirectUrl", p.client_secret AS "clientSecret", p.refund_ref AS "refundRef", p.created_at AS "createdAt",
  p.captured_at AS "capturedAt", p.refunded_at AS "refundedAt"`;

export async function insertPayment(db: Executor, p: { orderId: string; provider: string; amount: number; currency: string }): Promise<PaymentRow> {
  const { rows } = await db.query<PaymentRow>(
    `WITH p AS (INSERT INTO payments (order_id, provider, amount, currency) VALUES ($1, $2, $3, $4) RETURNING *) SELECT ${paymentColumns} FROM p`,
    [p.orderId, p.provider, p.amount, p.currency],
  );
  return rows[0]!;
}

/** The order's payment (one per order: checkout makes one, with the order). */
export async function selectPaymentOfOrder(db: Executor, orderId: string): Promise<PaymentRow | null> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments p WHERE p.order_id = $1 ORDER BY p.created_at LIMIT 1`, [orderId]);
  return rows[0] ?? null;
}

export async function selectPayment(db: Executor, id: string, forUpdate = false): Promise<PaymentRow | null> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments p WHERE p.id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function selectPaymentByRef(db: Executor, provider: string, providerRef: string, forUpdate = false): Promise<PaymentRow | null> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT ${paymentColumns} FROM payments p WHERE p.provider = $1 AND p.provider_ref = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [provider, providerRef],
  );
  return rows[0] ?? null;
}

/**
 * Records the provider's session once; a concurrent checkout that opened the
 * same session changes nothing, and a session of a provider the buyer has
 * since switched away from (`switchPaymentProvider`) is not recorded.
 */
export async function setPaymentSession(db: Executor, id: string, provider: string, s: { providerRef: string; redirectUrl: string | null; clientSecret: string | null }): Promise<void> {
  await db.query(
    'UPDATE payments SET provider_ref = $2, redirect_url = $3, client_secret = $4 WHERE id = $1 AND provider_ref IS NULL AND provider = $5',
    [id, s.providerRef, s.redirectUrl, s.clientSecret, provider],
  );
}

/**
 * A pending order whose payment never got a session (its provider could not
 * be reached) moves to another provider: order and payment together, and only
 * while no session exists. False when a session was opened meanwhile.
 */
export async function switchPaymentProvider(tx: Tx, orderId: string, provider: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE payments SET provider = $2 WHERE order_id = $1 AND provider_ref IS NULL AND status = 'created'`, [orderId, provider]);
  if (rowCount !== 1) return false;
  const moved = await tx.query(`UPDATE orders SET provider = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [orderId, provider]);
  return moved.rowCount === 1;
}

/** created or failed -> succeeded, to be swept (payment_sweep.ts); false when it had succeeded (or been refunded) before. */
export async function markPaymentSucceeded(db: Executor, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE payments SET status = 'succeeded', captured_at = now(), swept_at = NULL WHERE id = $1 AND status IN ('created', 'failed')`,
    [id],
  );
  return rowCount === 1;
}

export async function markPaymentFailed(db: Executor, id: string): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE payments SET status = 'failed' WHERE id = $1 AND status = 'created'`, [id]);
  return rowCount === 1;
}

export async function markPaymentRefunded(db: Executor, id: string, refundRef: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE payments SET status = 'refunded', refund_ref = $2, refunded_at = now() WHERE id = $1 AND status = 'succeeded'`,
    [id, refundRef],
  );
  return rowCount === 1;
}

export type SuccessRecorded = { recorded: boolean; paymentId: string | null; orderId: string | null; status: PaymentStatus | null; moved: boolean };

/** A success notice; with `buyerId` (a buyer's own pay page), a payment of another buyer's order counts as unknown. */
export type SuccessNotice = { provider: string; noticeId: string; providerRef: string; buyerId: string | null };

/**
 * For each notice: recordProviderEvent, then the payment by its provider
 * reference locked, then markPaymentSucceeded, all in one statement: it is
 * its own transaction, one round trip for the whole set (no BEGIN, no
 * COMMIT). A payment moved to succeeded is not swept yet (`swept_at` NULL):
 * that row is its outbox entry, which the sweeper (payment_sweep.ts) turns
 * into tickets or a `payment-confirmed` job; no job row is written here. Answers a row per notice, in
 * order: `recorded` false for a redelivery (nothing is locked or changed),
 * `paymentId` null for an unknown reference (or another buyer's: then the
 * notice is not recorded either), `moved` false when the payment had
 * succeeded (or been refunded) before (it was swept or is waiting to be). `status` is the
 * payment's before the statement.
 *
 * The caller (pay_group.ts) never puts two notices with the same id, or for
 * the same payment, in one set. Notices and payments are written in key
 * order, so two sets that share some cannot deadlock on them.
 *
 * The arrays are unnested from sub-selects so that the planner cannot see
 * their length: it then estimates every set alike, finds its generic plan no
 * dearer than a custom one and keeps it for the connection. Unnested from the
 * parameters themselves, each set's known length made a custom plan look
 * cheaper, and the statement was planned again at nearly every call (0.4-0.5 ms
 * of PostgreSQL a statement, as much as running it).
 */
export async function recordPaymentSuccesses(db: Executor, notices: SuccessNotice[]): Promise<SuccessRecorded[]> {
  const { rows } = await db.query<SuccessRecorded>({
    name: 'record-payment-successes',
    text: `WITH n AS (SELECT * FROM unnest((SELECT $1::text[]), (SELECT $2::text[]), (SELECT $3::text[]), (SELECT $4::uuid[])) WITH ORDINALITY AS n (provider, event_id, ref, buyer, i)),
                pay AS (SELECT n.i, p.id, p.order_id, p.status FROM n JOIN payments p ON p.provider = n.provider AND p.provider_ref = n.ref
                         WHERE n.buyer IS NULL OR EXISTS (SELECT 1 FROM orders o WHERE o.id = p.order_id AND o.buyer_id = n.buyer)),
                ev AS (INSERT INTO provider_events (provider, event_id)
                         SELECT n.provider, n.event_id FROM n WHERE n.buyer IS NULL OR EXISTS (SELECT 1 FROM pay WHERE pay.i = n.i) ORDER BY 1, 2
                         ON CONFLICT DO NOTHING RETURNING provider, event_id),
                locked AS (SELECT p.id FROM payments p JOIN pay ON p.id = pay.id JOIN n ON n.i = pay.i
                            WHERE EXISTS (SELECT 1 FROM ev WHERE ev.provider = n.provider AND ev.event_id = n.event_id) ORDER BY p.id FOR UPDATE OF p),
                upd AS (UPDATE payments p SET status = 'succeeded', captured_at = now(), swept_at = NULL FROM locked
                         WHERE p.id = locked.id AND p.status IN ('created', 'failed') RETURNING p.id, p.order_id)
           SELECT EXISTS (SELECT 1 FROM ev WHERE ev.provider = n.provider AND ev.event_id = n.event_id) AS recorded,
                  pay.id AS "paymentId", pay.order_id AS "orderId", pay.status, EXISTS (SELECT 1 FROM upd WHERE upd.id = pay.id) AS moved
             FROM n LEFT JOIN pay ON pay.i = n.i ORDER BY n.i`,
    values: [notices.map((n) => n.provider), notices.map((n) => n.noticeId), notices.map((n) => n.providerRef), notices.map((n) => n.buyerId)],
  });
  return rows;
}

export type SessionRow = { paymentId: string; orderId: string; buyerId: string; amount: number; currency: string; paymentStatus: PaymentStatus; orderStatus: string };

/** A payment by its provider reference with what its pay page shows of the order, in one statement. */
export async function selectPaymentSession(db: Executor, provider: string, providerRef: string): Promise<SessionRow | null> {
  const { rows } = await db.query<SessionRow>({
    name: 'select-payment-session',
    text: `SELECT p.id AS "paymentId", p.order_id AS "orderId", o.buyer_id AS "buyerId", p.amount, p.currency, p.status AS "paymentStatus", o.status AS "orderStatus"
             FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.provider = $1 AND p.provider_ref = $2`,
    values: [provider, providerRef],
  });
  return rows[0] ?? null;
}

/** A webhook delivery seen for the first time answers true; a redelivery false. */
export async function recordProviderEvent(db: Executor, provider: string, eventId: string): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO provider_events (provider, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [provider, eventId]);
  return rowCount === 1;
}
