import { assert } from '../assert.ts';
import { feePerTicket } from './fees.ts';

/**
 * What a buyer pays, line by line: the one place where a promo code's
 * discount meets a ticket's price. An order is one or more lines (a ticket
 * type, its list price, a quantity); every amount is integer minor units of
 * the event's currency.
 *
 * The rounding rule. A discount is computed per ticket, on the ticket's list
 * price, never on a line or an order total, so a basket of several lines and
 * several single-ticket orders pay the same:
 *
 *   percent off:  discount = floor((price × percent + 50) / 100)   (half up, integers only)
 *   amount off:   discount = min(amountOff, price)
 *   paid price    = price − discount                              (0 ≤ paid ≤ price)
 *
 * e.g. 15 % of TND 12.345 (12345 millimes) = 1851.75 → 1852 millimes off,
 * 10493 paid; 10 % of EUR 0.05 = 0.5 cent → 1 cent off. A percent is an
 * integer from 1 to 100 and an amount off is at least 1 minor unit, so a
 * discount is never negative and never more than the price.
 *
 * The platform fee (money/fees.ts) is then computed per ticket on the paid
 * price, with its own half-up rule: a free ticket carries no fee.
 */

/** A promo code's terms: a whole percent off, or a fixed amount off each ticket. */
export type Discount = { kind: 'percent'; percent: number } | { kind: 'amount'; amountOff: number };

export const discountPercentMax = 100;

export function discountPerTicket(price: number, discount: Discount | null): number {
  assert(Number.isSafeInteger(price) && price >= 0, `ticket price must be a non-negative integer of minor units (got ${price})`);
  if (discount === null) return 0;
  if (discount.kind === 'percent') {
    const { percent } = discount;
    assert(Number.isInteger(percent) && percent >= 1 && percent <= discountPercentMax, `percent off must be an integer from 1 to 100 (got ${percent})`);
    const scaled = price * percent + 50;
    assert(Number.isSafeInteger(scaled), `ticket price ${price} is too large to discount exactly`);
    // The remainder is taken off before dividing, so no float quotient can round across an integer.
    return (scaled - (scaled % 100)) / 100;
  }
  const { amountOff } = discount;
  assert(Number.isSafeInteger(amountOff) && amountOff >= 1, `amount off must be a positive integer of minor units (got ${amountOff})`);
  return Math.min(amountOff, price);
}

/** One line of an order as sold: a list price and a quantity. */
export type LineInput = { unitPrice: number; quantity: number };

/** The line as charged: per ticket and for the line. */
export type PricedLine = LineInput & {
  unitDiscount: number;
  /** What one ticket costs the buyer: unitPrice − unitDiscount. */
  paidUnitPrice: number;
  /** The platform's fee on one ticket, on its paid price. */
  feePerTicket: number;
  /** Σ over the line: list price, discount, paid amount, fee. */
  gross: number;
  discount: number;
  amount: number;
  fee: number;
};

export function priceLine(line: LineInput, discount: Discount | null, feeBps: number): PricedLine {
  const { unitPrice, quantity } = line;
  assert(Number.isSafeInteger(quantity) && quantity >= 1, `quantity must be a positive integer (got ${quantity})`);
  const unitDiscount = discountPerTicket(unitPrice, discount);
  const paidUnitPrice = unitPrice - unitDiscount;
  assert(paidUnitPrice >= 0 && paidUnitPrice <= unitPrice, 'a paid price lies between 0 and the list price');
  const fee = feePerTicket(paidUnitPrice, feeBps);
  const gross = unitPrice * quantity;
  assert(Number.isSafeInteger(gross), `line total ${unitPrice} × ${quantity} is too large`);
  return {
    unitPrice, quantity, unitDiscount, paidUnitPrice, feePerTicket: fee,
    gross, discount: unitDiscount * quantity, amount: paidUnitPrice * quantity, fee: fee * quantity,
  };
}

export type PricedOrder = { lines: PricedLine[]; gross: number; discount: number; amount: number; fee: number };

/**
 * An order of several lines, each with the discount when `applies` says the
 * code covers it (a code for one ticket type leaves the others at list price).
 */
export function priceOrder<L extends LineInput>(lines: readonly L[], discount: Discount | null, feeBps: number, applies: (line: L) => boolean = () => true): PricedOrder {
  const priced = lines.map((l) => priceLine(l, applies(l) ? discount : null, feeBps));
  const sum = (pick: (l: PricedLine) => number) => priced.reduce((n, l) => n + pick(l), 0);
  const order = { lines: priced, gross: sum((l) => l.gross), discount: sum((l) => l.discount), amount: sum((l) => l.amount), fee: sum((l) => l.fee) };
  assert(order.gross - order.discount === order.amount, 'an order pays its list price less its discount');
  return order;
}
