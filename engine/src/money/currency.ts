import { assert } from '../assert.ts';

/**
 * Money is always an integer count of the currency's minor unit (millimes for
 * TND, cents for EUR), so sums never drift the way binary floats do.
 */
export type Money = { amount: number; currency: string };

/**
 * ISO 4217 minor-unit exponents for the currencies Tickr is expected to sell
 * in. A currency missing here is refused rather than guessed: a wrong exponent
 * would misprice every ticket by a factor of ten or more.
 */
export const minorUnitExponents: Readonly<Record<string, number>> = Object.freeze({
  // Three decimals: the dinars of the Maghreb and the Gulf.
  TND: 3, BHD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, IQD: 3,
  // Two decimals.
  EUR: 2, USD: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, NZD: 2, SEK: 2, NOK: 2, DKK: 2,
  PLN: 2, CZK: 2, HUF: 2, RON: 2, MAD: 2, DZD: 2, EGP: 2, AED: 2, SAR: 2, QAR: 2,
  TRY: 2, ZAR: 2, INR: 2, CNY: 2, HKD: 2, SGD: 2, MXN: 2, BRL: 2, XCD: 2,
  // No minor unit.
  JPY: 0, KRW: 0, ISK: 0, CLP: 0, VND: 0, XOF: 0, XAF: 0,
});

/** The number of decimals of `currency`; throws for a currency Tickr does not know. */
export function minorUnitExponent(currency: string): number {
  const exponent = minorUnitExponents[currency];
  if (exponent === undefined) throw new RangeError(`currency must be an ISO 4217 code Tickr supports (got ${JSON.stringify(currency)})`);
  return exponent;
}

export function isSupportedCurrency(currency: string): boolean {
  return Object.hasOwn(minorUnitExponents, currency);
}

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
  const exponent = minorUnitExponent(m.currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: m.currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  return format.format(toDecimalString(m) as Intl.StringNumericLiteral);
}
