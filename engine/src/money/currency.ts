import { assert } from '../assert.ts';
import { isSupportedCurrency, minorUnitExponent } from './currency_table.ts';

/**
 * Money is always an integer count of the currency's minor unit (millimes for
 * TND, cents for EUR), so sums never drift the way binary floats do.
 */
export type Money = { amount: number; currency: string };

/** The table lives in its own import-free module so the storefront loads the same one. */
export { isSupportedCurrency, minorUnitExponent, minorUnitExponents, supportedCurrencies } from './currency_table.ts';

export function money(amount: number, currency: string): Money {
  assertMoney({ amount, currency });
  return { amount, currency };
}

export function assertMoney(m: Money): void {
  assert(Number.isSafeInteger(m.amount), `money amount must be a safe integer of minor units (got ${m.amount})`);
  assert(isSupportedCurrency(m.currency), `money currency must be supported (got ${JSON.stringify(m.currency)})`);
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

function assertSameCurrency(a: Money, b: Money): void {
  assertMoney(a);
  assertMoney(b);
  assert(a.currency === b.currency, `cannot mix currencies: ${a.currency} and ${b.currency}`);
}

/**
 * The amount as a plain decimal string in the currency's exponent, with no
 * grouping or symbol, for CSV and APIs: TND 50000 → "50.000", EUR -1205 →
 * "-12.05", JPY 500 → "500". Integer arithmetic only, so it is exact.
 */
export function toDecimalString(m: Money): string {
  assertMoney(m);
  const exponent = minorUnitExponent(m.currency);
  const sign = m.amount < 0 ? '-' : '';
  const digits = Math.abs(m.amount).toString().padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * For people: Intl formatting in the buyer's locale, with exactly the
 * currency's decimals (TND always shows 3). The number is built from the exact
 * decimal string, so no float division touches the amount before Intl does.
 */
export function formatMoney(m: Money, locale: string): string {
  return formatterOf(locale, m.currency).format(toDecimalString(m) as Intl.StringNumericLiteral);
}

/**
 * One Intl.NumberFormat per (locale, currency): building one costs some 26 µs of CPU,
 * formatting with it under 1 µs, and a sell-out renders a receipt an order
 * (seen at 5 % of the node's busy time in bench/results/profile-tickets.md).
 * Bounded: locales and currencies are few, but a locale may come from a client.
 */
const formatters = new Map<string, Intl.NumberFormat>();
const formattersMax = 256;

function formatterOf(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}\u0000${currency}`;
  let format = formatters.get(key);
  if (format === undefined) {
    const exponent = minorUnitExponent(currency);
    format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent });
    if (formatters.size >= formattersMax) formatters.clear();
    formatters.set(key, format);
  }
  return format;
}
