import type { Db } from '../db/pool.ts';
import type { PaymentProviderName } from '../payments/provider.ts';
import { sourcesOf, type OrderStatus } from './states.ts';
import type { Tx } from './tx.ts';

/** Small named queries on `orders`, one statement each. */

type Executor = Db | Tx;

export type OrderRow = {
  id: string;
  eventId: string;
  buyerId: string;
  holdId: string;
  typeId: string;
  quantity: number;
  /** The list price of one ticket. */
  unitPrice: number;
  /** Taken off each ticket by the order's promo code (0 without one); amount = (unitPrice − unitDiscount) × quantity. */
  unitDiscount: number;
  /** The promo code applied, in capitals, or null. */
  promoCode: string | null;
  amount: number;
  currency: string;
  status: OrderStatus;
  provider: PaymentProviderName;
  locale: string;
  ticketedHoldId: string | null;
  lateHoldId: string | null;
  failure: string | null;
  createdAt: Date;
  updatedAt: Date;
  paidAt: Date | null;
  ticketedAt: Date | null;
  refundedAt: Date | null;
};

const orderColumns = `o.id, o.event_id AS "eventId", o.buyer_id AS "buyerId", o.hold_id AS "holdId", o.type_id AS "typeId", o.quantity,
  o.unit_price AS "unitPrice", o.unit_discount AS "unitDiscount", o.promo_code AS "promoCode", o.amount, o.currency, o.status, o.provider, o.locale, o.ticketed_hold_id AS "ticketedHoldId",
  o.late_hold_id AS "lateHoldId", o.failure, o.created_at AS "createdAt", o.updated_at AS "updatedAt", o.paid_at AS "paidAt",
  o.ticketed_at AS "ticketedAt", o.refunded_at AS "refundedAt"`;

export type NewOrder = Pick<OrderRow, 'eventId' | 'buyerId' | 'holdId' | 'typeId' | 'quantity' | 'unitPrice' | 'unitDiscount' | 'promoCode' | 'amount' | 'currency' | 'provider' | 'locale'>;

/**
 * One order per hold: the insert of a second one for the same hold does nothing and answers null.
 * The order's language (its emails and SMS) is the buyer's account language when set (#15), else the checkout's.
 */
export async function insertOrder(db: Executor, o: NewOrder): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(
    `WITH o AS (
       INSERT INTO orders (event_id, buyer_id, hold_id, type_id, quantity, unit_price, amount, currency, provider, locale, unit_discount, promo_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce((SELECT locale FROM accounts WHERE id = $2), $10), $11, $12)
       ON CONFLICT (hold_id) DO NOTHING
       RETURNING *
     ) SELECT ${orderColumns} FROM o`,
    [o.eventId, o.buyerId, o.holdId, o.typeId, o.quantity, o.unitPrice, o.amount, o.currency, o.provider, o.locale, o.unitDiscount, o.promoCode],
  );
  return rows[0] ?? null;
}

export async function selectOrder(db: Executor, id: string, forUpdate = false): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o WHERE o.id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function selectOrderOfHold(db: Executor, holdId: string): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o WHERE o.hold_id = $1`, [holdId]);
  return rows[0] ?? null;
}

export async function selectOrdersOfBuyer(db: Executor, buyerId: string, limit: number): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o WHERE o.buyer_id = $1 ORDER BY o.created_at DESC, o.id LIMIT $2`, [buyerId, limit]);
  return rows;
}

/** An event's orders with their buyer, newest first: what the organizer refunds from. */
export async function selectOrdersOfEvent(db: Executor, eventId: string, limit: number): Promise<(OrderRow & { buyerName: string; buyerEmail: string })[]> {
  const { rows } = await db.query<OrderRow & { buyerName: string; buyerEmail: string }>(
    `SELECT ${orderColumns}, a.name AS "buyerName", a.email AS "buyerEmail"
     FROM orders o JOIN accounts a ON a.id = o.buyer_id WHERE o.event_id = $1 ORDER BY o.created_at DESC, o.id LIMIT $2`,
    [eventId, limit],
  );
  return rows;
}

/** Moves the order to `to` if its status allows it (states.ts); false when it did not (already moved, or not allowed). */
export async function moveOrder(db: Executor, id: string, to: OrderStatus, fields: { ticketedHoldId?: string; failure?: string } = {}): Promise<boolean> {
  const stamp = to === 'paid' ? ', paid_at = now()' : to === 'ticketed' ? ', ticketed_at = now()' : to === 'refunded' ? ', refunded_at = now()' : '';
  const { rowCount } = await db.query(
    `UPDATE orders SET status = $2, updated_at = now()${stamp},
       ticketed_hold_id = COALESCE($4, ticketed_hold_id), failure = COALESCE($5, failure)
     WHERE id = $1 AND status = ANY($3::text[])`,
    [id, to, sourcesOf(to), fields.ticketedHoldId ?? null, fields.failure ?? null],
  );
  return rowCount === 1;
}

/** The hold a late payment placed, recorded before it is confirmed (migration 0005). */
export async function setLateHold(db: Executor, id: string, holdId: string | null): Promise<void> {
  await db.query('UPDATE orders SET late_hold_id = $2, updated_at = now() WHERE id = $1', [id, holdId]);
}

/** The order's tickets get their order: the journal flush wrote them with their hold only. */
export async function linkTicketsToOrder(db: Executor, orderId: string, holdId: string): Promise<number> {
  const { rowCount } = await db.query('UPDATE tickets SET order_id = $1 WHERE hold_id = $2 AND (order_id IS NULL OR order_id = $1)', [orderId, holdId]);
  return rowCount ?? 0;
}

export async function countTicketsOfHold(db: Executor, holdId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets WHERE hold_id = $1', [holdId]);
  return rows[0]!.n;
}

export type OrderContext = { organizerId: string; eventName: string; /** The event was cancelled (#15). */ eventCancelled: boolean; startsAt: Date; refundPolicy: 'none' | 'until' | 'always'; refundUntilDays: number | null; buyerEmail: string; buyerName: string; typeName: string };

/** What the routes and the refund job need about an order's event and buyer. */
export async function selectOrderContext(db: Executor, orderId: string): Promise<OrderContext | null> {
  const { rows } = await db.query<OrderContext>(
    `SELECT e.organizer_id AS "organizerId", e.name AS "eventName", e.cancelled_at IS NOT NULL AS "eventCancelled", e.starts_at AS "startsAt", e.refund_policy AS "refundPolicy",
            e.refund_until_days AS "refundUntilDays", a.email AS "buyerEmail", a.name AS "buyerName", t.name AS "typeName"
     FROM orders o JOIN events e ON e.id = o.event_id JOIN accounts a ON a.id = o.buyer_id JOIN ticket_types t ON t.id = o.type_id
     WHERE o.id = $1`,
    [orderId],
  );
  return rows[0] ?? null;
}

export type PayoutRow = { typeId: string; typeName: string; unitPrice: number; unitDiscount: number; quantity: number; refundedQuantity: number };

/**
 * Tickets sold per type, price and discount, refunded ones counted apart. Only orders
 * that got tickets (`ticketed_hold_id`) count: a late payment refunded for want
 * of stock never sold a ticket, its money went straight back.
 */
export async function selectPayoutRows(db: Executor, eventId: string): Promise<PayoutRow[]> {
  const { rows } = await db.query<PayoutRow>(
    `SELECT o.type_id AS "typeId", t.name AS "typeName", o.unit_price AS "unitPrice", o.unit_discount AS "unitDiscount",
            sum(o.quantity)::int AS quantity, (sum(o.quantity) FILTER (WHERE o.status = 'refunded'))::int AS "refundedQuantity"
     FROM orders o JOIN ticket_types t ON t.id = o.type_id
     WHERE o.event_id = $1 AND o.status IN ('paid', 'ticketed', 'refunded') AND o.ticketed_hold_id IS NOT NULL
     GROUP BY o.type_id, t.name, t.position, o.unit_price, o.unit_discount
     ORDER BY t.position, o.unit_price, o.unit_discount`,
    [eventId],
  );
  return rows.map((r) => ({ ...r, refundedQuantity: r.refundedQuantity ?? 0 }));
}
