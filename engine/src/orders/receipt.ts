import { assert } from '../assert.ts';
import type { Db } from '../db/pool.ts';
import type { PaymentProviderName } from '../payments/provider.ts';

/**
 * What a buyer paid for, as the order page and the confirmation email show
 * it (#15). Driven by lines: one per ticket type and price today; a basket
 * adds lines, a promo code adds a negative adjustment, a buyer fee a positive
 * one. All amounts are integer minor units of `currency`, and the lines plus
 * the adjustments always add up to the total (asserted), so the receipt can
 * never disagree with what the payment took.
 */
export type ReceiptLine = { typeId: string; typeName: string; quantity: number; unitPrice: number; amount: number };
/** A fee the buyer pays on top (positive) or a discount (negative, a promo code's). */
export type ReceiptAdjustment = { kind: 'fee' | 'discount'; label: string; amount: number };

export type Receipt = {
  orderId: string;
  /** The short number a person reads out: the order id's first 8 hex digits, upper case (as on the order page and the pass). */
  orderNumber: string;
  currency: string;
  lines: ReceiptLine[];
  adjustments: ReceiptAdjustment[];
  total: number;
  provider: PaymentProviderName;
  /** When the money came in, else when the order was placed (ISO 8601). */
  date: string;
  /** The event's IANA zone: the date is shown in it. */
  timeZone: string;
};

export function orderNumber(orderId: string): string {
  return orderId.replaceAll('-', '').slice(0, 8).toUpperCase();
}

export type ReceiptOrder = {
  id: string; amount: number; currency: string; provider: PaymentProviderName; createdAt: Date; paidAt: Date | null;
};

/** The line of one type and price: quantity × unit price, checked to stay a safe integer. */
export function receiptLine(typeId: string, typeName: string, quantity: number, unitPrice: number): ReceiptLine {
  assert(Number.isSafeInteger(quantity) && quantity >= 1, `receipt line quantity must be a positive integer (got ${quantity})`);
  assert(Number.isSafeInteger(unitPrice) && unitPrice >= 0, `receipt line unit price must be a non-negative integer (got ${unitPrice})`);
  const amount = quantity * unitPrice;
  assert(Number.isSafeInteger(amount), 'receipt line amount out of range');
  return { typeId, typeName, quantity, unitPrice, amount };
}

export function receiptOf(order: ReceiptOrder, lines: ReceiptLine[], timeZone: string, adjustments: ReceiptAdjustment[] = []): Receipt {
  assert(lines.length > 0, `order ${order.id} has no receipt lines`);
  const sum = lines.reduce((n, l) => n + l.amount, 0) + adjustments.reduce((n, a) => n + a.amount, 0);
  assert(sum === order.amount, `order ${order.id}: receipt lines add up to ${sum}, the order's amount is ${order.amount}`);
  return {
    orderId: order.id, orderNumber: orderNumber(order.id), currency: order.currency, lines, adjustments, total: order.amount,
    provider: order.provider, date: (order.paidAt ?? order.createdAt).toISOString(), timeZone,
  };
}

/**
 * The receipt, or null when its lines do not add up to what the order took
 * (an order priced by code that does not yet give its lines here, e.g. a new
 * kind of discount). A receipt is shown, never one that is wrong, and showing
 * it must never stop tickets from being issued or an order from being read.
 */
export function receiptOrNull(order: ReceiptOrder, lines: ReceiptLine[], timeZone: string, adjustments: ReceiptAdjustment[] = []): Receipt | null {
  const sum = lines.reduce((n, l) => n + l.amount, 0) + adjustments.reduce((n, a) => n + a.amount, 0);
  return lines.length === 0 || sum !== order.amount ? null : receiptOf(order, lines, timeZone, adjustments);
}

/** A line as stored (order_lines): its list price and the promo code's discount per ticket. */
export type StoredLine = { typeId: string; typeName: string; quantity: number; unitPrice: number; unitDiscount: number };

/**
 * The receipt of an order's stored lines: each line at its list price, then
 * the promo code's discount, summed over the lines, as one negative
 * adjustment labelled with the code; so the lines and the adjustment add up
 * to what the order charged (pricing.ts: per ticket, line by line).
 */
export function receiptOfLines(order: ReceiptOrder, stored: StoredLine[], promoCode: string | null, timeZone: string): Receipt | null {
  const lines = stored.map((l) => receiptLine(l.typeId, l.typeName, l.quantity, l.unitPrice));
  const discount = stored.reduce((n, l) => n + l.unitDiscount * l.quantity, 0);
  const adjustments: ReceiptAdjustment[] = discount === 0 ? [] : [{ kind: 'discount', label: promoCode ?? 'Discount', amount: -discount }];
  return receiptOrNull(order, lines, timeZone, adjustments);
}

/** The receipt of an order as stored: its lines (order_lines, with their types' names) and its event's zone. */
export async function selectReceipt(db: Db, order: ReceiptOrder & { promoCode: string | null }): Promise<Receipt | null> {
  const [{ rows: lines }, { rows: zones }] = await Promise.all([
    db.query<StoredLine>(
      `SELECT l.type_id AS "typeId", t.name AS "typeName", l.quantity, l.unit_price::float8 AS "unitPrice", l.unit_discount::float8 AS "unitDiscount"
       FROM order_lines l JOIN ticket_types t ON t.id = l.type_id WHERE l.order_id = $1 ORDER BY l.line`, [order.id]),
    db.query<{ timeZone: string }>(`SELECT e.time_zone AS "timeZone" FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1`, [order.id]),
  ]);
  const zone = zones[0];
  assert(zone !== undefined, `order ${order.id} has no event`);
  return receiptOfLines(order, lines, order.promoCode, zone.timeZone);
}
