/**
 * The one table of currencies Tickr sells in, with their ISO 4217 minor-unit
 * exponents (digits after the decimal point). The edge validates against it,
 * the engine prices, pays out and mails with it, and the storefront formats
 * and parses amounts with it. It imports nothing, so the browser can load it:
 * a second copy anywhere (or the browser's own Intl data, which gives HUF, IQD
 * and IDR 0 decimals) would misprice by a factor of 100 or 1,000.
 */
export const minorUnitExponents: Readonly<Record<string, number>> = Object.freeze({
  // Three decimals: the dinars of the Maghreb and the Gulf.
  TND: 3, BHD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, IQD: 3,
  // Two decimals.
  EUR: 2, USD: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, NZD: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2, HUF: 2, RON: 2,
  MAD: 2, DZD: 2, EGP: 2, ZAR: 2, NGN: 2, KES: 2, GHS: 2, AED: 2, SAR: 2, QAR: 2, TRY: 2, INR: 2, CNY: 2, HKD: 2,
  SGD: 2, MXN: 2, BRL: 2, ARS: 2, ILS: 2, THB: 2, MYR: 2, PHP: 2, IDR: 2, XCD: 2,
  // No minor unit.
  JPY: 0, KRW: 0, CLP: 0, ISK: 0, VND: 0, XOF: 0, XAF: 0, UGX: 0, PYG: 0, RWF: 0,
});

/** The codes of the table, sorted, for messages and tests. */
export const supportedCurrencies: readonly string[] = Object.freeze(Object.keys(minorUnitExponents).sort());

export function isSupportedCurrency(currency: string): boolean {
  return Object.hasOwn(minorUnitExponents, currency);
}

/** The number of decimals of `currency`; throws for a currency Tickr does not know. */
export function minorUnitExponent(currency: string): number {
  if (!isSupportedCurrency(currency)) throw new RangeError(`currency must be an ISO 4217 code Tickr supports (got ${JSON.stringify(currency)})`);
  return minorUnitExponents[currency]!;
}
