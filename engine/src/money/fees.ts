import { assert } from '../assert.ts';
import { addMoney, assertMoney, money, subtractMoney, toDecimalString, type Money } from './currency.ts';

/**
 * The platform fee, 4 %, in basis points (1 bp = 0.01 %). Configurable per
 * call; it belongs in constants.ts once payouts are wired into the engine.
 */
export const platformFeeBpsDefault = 400;
/** 100 % in basis points: a fee can never exceed the ticket's price. */
export const feeBpsMax = 10_000;

/**
 * The one rounding rule: the fee is computed per ticket, on the ticket's
 * price in minor units, rounded half up to the nearest minor unit, with
 * integer arithmetic only:
 *
 *   fee = floor((price × bps + 5000) / 10000)
 *
 * e.g. at 4 %: TND 12.345 (12345 millimes) → 493.8 → 494 millimes; EUR 0.13
 * (13 cents) → 0.52 → 1 cent; EUR 0.12 → 0.48 → 0 cents. An order's fee is the
 * per-ticket fee times the quantity, so a report's total equals the sum of
 * its tickets' fees exactly.
 *
 * The division is done on an exact multiple of 10000 (the remainder is taken
 * off first), because a float quotient near 2^53 / 10^4 can round up across
 * an integer and break the floor.
 */
export function feePerTicket(price: number, bps: number = platformFeeBpsDefault): number {
  assert(Number.isSafeInteger(price) && price >= 0, `ticket price must be a non-negative integer of minor units (got ${price})`);
  assert(Number.isInteger(bps) && bps >= 0 && bps <= feeBpsMax, `fee must be an integer from 0 to ${feeBpsMax} basis points (got ${bps})`);
  const scaled = price * bps + 5_000;
  assert(Number.isSafeInteger(scaled), `ticket price ${price} is too large to compute a fee on exactly`);
  return (scaled - (scaled % 10_000)) / 10_000;
}

/** One ticket type (or price point) of an event, as sold. */
export type PayoutLine = {
  /** What the CSV shows for the line, e.g. the ticket type's name. */
  label?: string;
  /** The list price of one ticket, in minor units of the report's currency. */
  price: number;
  /** Taken off each ticket by a promo code (money/pricing.ts); 0 or absent without one. */
  discountPerTicket?: number;
  /** Tickets sold at this price, refunded ones included. */
  quantity: number;
  /** Of those, tickets refunded; at most `quantity`. */
  refundedQuantity: number;
};

export type PayoutLineReport = PayoutLine & {
  discountPerTicket: number; paidPrice: number; feePerTicket: number; gross: number; discounts: number; fees: number; refunds: number; net: number;
};

/** All amounts are integer minor units of `currency`. */
export type PayoutReport = {
  currency: string;
  feeBps: number;
  lines: PayoutLineReport[];
  gross: number;
  discounts: number;
  fees: number;
  refunds: number;
  net: number;
};

/**
 * What the organizer is owed. A promo code's discount is the organizer's:
 * the fee is computed on the price actually paid. Refund policy for fees: the
 * platform keeps no fee on a refunded ticket, so the buyer gets back what they
 * paid, the organizer gives up that, and the platform gives up its fee:
 *
 *   paid      = price − discountPerTicket
 *   gross     = Σ price × quantity
 *   discounts = Σ discountPerTicket × quantity
 *   refunds   = Σ paid × refundedQuantity
 *   fees      = Σ feePerTicket(paid) × (quantity − refundedQuantity)
 *   net       = gross − discounts − fees − refunds
 */
export function payout(lines: readonly PayoutLine[], currency: string, bps: number = platformFeeBpsDefault): PayoutReport {
  let gross = money(0, currency);
  let fees = money(0, currency);
  let refunds = money(0, currency);
  let discounts = money(0, currency);
  const lineReports: PayoutLineReport[] = [];
  for (const line of lines) {
    const report = payoutLine(line, currency, bps);
    lineReports.push(report);
    gross = addMoney(gross, money(report.gross, currency));
    fees = addMoney(fees, money(report.fees, currency));
    refunds = addMoney(refunds, money(report.refunds, currency));
    discounts = addMoney(discounts, money(report.discounts, currency));
  }
  const net = subtractMoney(subtractMoney(subtractMoney(gross, discounts), fees), refunds);
  assert(net.amount >= 0, 'net payout must not be negative');
  return { currency, feeBps: bps, lines: lineReports, gross: gross.amount, discounts: discounts.amount, fees: fees.amount, refunds: refunds.amount, net: net.amount };
}

function payoutLine(line: PayoutLine, currency: string, bps: number): PayoutLineReport {
  const { price, quantity, refundedQuantity } = line;
  assert(Number.isSafeInteger(quantity) && quantity >= 0, `quantity must be a non-negative integer (got ${quantity})`);
  assert(
    Number.isSafeInteger(refundedQuantity) && refundedQuantity >= 0 && refundedQuantity <= quantity,
    `refundedQuantity must be an integer from 0 to quantity (got ${refundedQuantity} of ${quantity})`,
  );
  const discountPerTicket = line.discountPerTicket ?? 0;
  assert(Number.isSafeInteger(discountPerTicket) && discountPerTicket >= 0 && discountPerTicket <= price, `discountPerTicket must be an integer from 0 to the price (got ${discountPerTicket})`);
  const paidPrice = price - discountPerTicket;
  const fee = feePerTicket(paidPrice, bps);
  const gross = money(price * quantity, currency).amount;
  const discounts = money(discountPerTicket * quantity, currency).amount;
  const refunds = money(paidPrice * refundedQuantity, currency).amount;
  const fees = money(fee * (quantity - refundedQuantity), currency).amount;
  return { ...line, discountPerTicket, paidPrice, feePerTicket: fee, gross, discounts, fees, refunds, net: gross - discounts - fees - refunds };
}

const csvHeader = ['line', 'price', 'discount_per_ticket', 'quantity', 'refunded_quantity', 'fee_per_ticket', 'gross', 'discounts', 'fees', 'refunds', 'net', 'currency'];

/**
 * The report as CSV (RFC 4180, CRLF line ends): one row per line, then a
 * `total` row. Amounts are decimal strings in the currency's exponent
 * (TND 50000 → "50.000"), never floats, so a spreadsheet shows what was paid.
 */
export function payoutCsv(report: PayoutReport): string {
  const amount = (minor: number) => toDecimalString({ amount: minor, currency: report.currency });
  const rows: string[][] = [csvHeader];
  report.lines.forEach((line, i) => {
    rows.push([
      line.label ?? `line ${i + 1}`, amount(line.price), amount(line.discountPerTicket), String(line.quantity), String(line.refundedQuantity),
      amount(line.feePerTicket), amount(line.gross), amount(line.discounts), amount(line.fees), amount(line.refunds), amount(line.net), report.currency,
    ]);
  });
  const sold = report.lines.reduce((n, l) => n + l.quantity, 0);
  const refunded = report.lines.reduce((n, l) => n + l.refundedQuantity, 0);
  rows.push([
    'total', '', '', String(sold), String(refunded), '',
    amount(report.gross), amount(report.discounts), amount(report.fees), amount(report.refunds), amount(report.net), report.currency,
  ]);
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Quotes a field that holds a comma, quote or line break; a leading =+-@ is defused against spreadsheet formula injection. */
function csvField(value: string): string {
  const safe = /^[=+@\t\r-]/.test(value) && !/^-\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The report's totals as Money, for callers that format them for people. */
export function payoutTotals(report: PayoutReport): { gross: Money; discounts: Money; fees: Money; refunds: Money; net: Money } {
  const totals = {
    gross: { amount: report.gross, currency: report.currency },
    discounts: { amount: report.discounts, currency: report.currency },
    fees: { amount: report.fees, currency: report.currency },
    refunds: { amount: report.refunds, currency: report.currency },
    net: { amount: report.net, currency: report.currency },
  };
  for (const m of Object.values(totals)) assertMoney(m);
  return totals;
}
