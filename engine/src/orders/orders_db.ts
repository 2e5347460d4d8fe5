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

/** The order a hold is a line of (any line of a basket), or null. */
export async function selectOrderOfHold(db: Executor, holdId: string): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.hold_id = $1`, [holdId]);
  return rows[0] ?? null;
}

/** One line of an order: one hold of one ticket type (migration 0016). */
export type OrderLine = {
  orderId: string;
  line: number;
  holdId: string;
  typeId: string;
  typeName: string;
  quantity: number;
  unitPrice: number;
  /** Taken off each ticket of this line by the order's promo code (0 when none, or the code is for another type). */
  unitDiscount: number;
  holderNames: string[] | null;
  ticketedHoldId: string | null;
  lateHoldId: string | null;
};

export type NewOrderLine = Pick<OrderLine, 'holdId' | 'typeId' | 'quantity' | 'unitPrice' | 'unitDiscount' | 'holderNames'>;

const lineColumns = `l.order_id AS "orderId", l.line, l.hold_id AS "holdId", l.type_id AS "typeId", t.name AS "typeName", l.quantity,
  l.unit_price AS "unitPrice", l.unit_discount AS "unitDiscount", l.holder_names AS "holderNames", l.ticketed_hold_id AS "ticketedHoldId", l.late_hold_id AS "lateHoldId"`;

/**
 * An order's lines, numbered from 1 in the order given. Answers false when a
 * hold is already a line of another order (the caller rolls back).
 */
export async function insertOrderLines(db: Executor, orderId: string, lines: NewOrderLine[]): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO order_lines (order_id, line, hold_id, type_id, quantity, unit_price, unit_discount, holder_names)
     SELECT $1, u.line, u.hold_id, u.type_id, u.quantity, u.unit_price, u.unit_discount,
            CASE WHEN u.names = 'null'::jsonb THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(u.names)) END
     FROM unnest($2::int[], $3::text[], $4::uuid[], $5::int[], $6::bigint[], $7::bigint[], $8::jsonb[]) AS u (line, hold_id, type_id, quantity, unit_price, unit_discount, names)
     ON CONFLICT (hold_id) DO NOTHING`,
    [orderId, lines.map((_, i) => i + 1), lines.map((l) => l.holdId), lines.map((l) => l.typeId), lines.map((l) => l.quantity),
      lines.map((l) => l.unitPrice), lines.map((l) => l.unitDiscount), lines.map((l) => JSON.stringify(l.holderNames))],
  );
  return rowCount === lines.length;
}

export async function selectOrderLines(db: Executor, orderId: string): Promise<OrderLine[]> {
  const { rows } = await db.query<OrderLine>(
    `SELECT ${lineColumns} FROM order_lines l JOIN ticket_types t ON t.id = l.type_id WHERE l.order_id = $1 ORDER BY l.line`, [orderId]);
  return rows;
}

/** The lines of several orders at once (a buyer's order list), by order id. */
export async function selectLinesOfOrders(db: Executor, orderIds: string[]): Promise<Map<string, OrderLine[]>> {
  const { rows } = await db.query<OrderLine>(
    `SELECT ${lineColumns} FROM order_lines l JOIN ticket_types t ON t.id = l.type_id WHERE l.order_id = ANY($1::uuid[]) ORDER BY l.order_id, l.line`, [orderIds]);
  const byOrder = new Map<string, OrderLine[]>();
  for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  return byOrder;
}

/** A line's tickets exist: the hold that became them. Line 1 is mirrored on the order (moveOrder). */
export async function setLineTicketed(db: Executor, orderId: string, line: number, holdId: string): Promise<void> {
  await db.query('UPDATE order_lines SET ticketed_hold_id = $3 WHERE order_id = $1 AND line = $2', [orderId, line, holdId]);
}

/**
 * Orders ticketed in one batch (payment_confirmed_batch.ts: single-line orders) got their hold on the order; their line gets it too.
 * The ids are given for the lines as well as the orders: with them only on `orders`, the planner may read every line of the
 * table to find these (a sequential scan a sweep, seen at 5,000 orders: 18 ms each).
 */
export async function mirrorTicketedToFirstLine(db: Executor, orderIds: string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await db.query(
    `UPDATE order_lines l SET ticketed_hold_id = o.ticketed_hold_id FROM orders o
      WHERE l.order_id = ANY($1::uuid[]) AND l.line = 1 AND l.ticketed_hold_id IS NULL AND o.id = l.order_id`, [orderIds]);
}

/** The hold a late payment placed for a line, recorded before it is confirmed; line 1's on the order too. */
export async function setLineLateHold(db: Executor, orderId: string, line: number, holdId: string): Promise<void> {
  await db.query('UPDATE order_lines SET late_hold_id = $3 WHERE order_id = $1 AND line = $2', [orderId, line, holdId]);
  if (line === 1) await setLateHold(db, orderId, holdId);
}

/**
 * The names given at checkout go onto the line's tickets, in ticket id order,
 * where no name was set yet (a retry changes nothing). Tickets beyond the
 * names keep none: issuing gives them the buyer's name.
 */
export async function applyHolderNames(db: Executor, holdId: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await db.query(
    `UPDATE tickets t SET holder_name = n.name
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM tickets WHERE hold_id = $1) AS k
     JOIN unnest($2::text[]) WITH ORDINALITY AS n (name, k) ON n.k = k.k
     WHERE t.id = k.id AND t.holder_name IS NULL`,
    [holdId, names],
  );
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
    `SELECT l.type_id AS "typeId", t.name AS "typeName", l.unit_price AS "unitPrice", l.unit_discount AS "unitDiscount",
            sum(l.quantity)::int AS quantity, (sum(l.quantity) FILTER (WHERE o.status = 'refunded'))::int AS "refundedQuantity"
     FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN ticket_types t ON t.id = l.type_id
     WHERE o.event_id = $1 AND o.status IN ('paid', 'ticketed', 'refunded') AND l.ticketed_hold_id IS NOT NULL
     GROUP BY l.type_id, t.name, t.position, l.unit_price, l.unit_discount
     ORDER BY t.position, l.unit_price, l.unit_discount`,
    [eventId],
  );
  return rows.map((r) => ({ ...r, refundedQuantity: r.refundedQuantity ?? 0 }));
}
