import { isSupportedCurrency, minorUnitExponent } from '../../../engine/src/money/currency_table.ts';
import { intlLocales, type Locale, type Translate } from './i18n';

/**
 * Dates are shown in the event's zone (#15), named beside them, so server and
 * browser render the same text; what belongs to no event (an order's date) in UTC.
 */
export const displayTimeZone = 'UTC';

/**
 * Digits after the decimal point of a currency (TND 3, EUR 2, JPY 0), from the
 * server's own table, never from the browser's Intl data (which gives HUF, IQD
 * and IDR 0 decimals where ISO 4217 and the server say 2, 3 and 2). Null for a
 * currency Tickr does not sell in.
 */
export function currencyExponent(currency: string): number | null {
  return isSupportedCurrency(currency) ? minorUnitExponent(currency) : null;
}

/** Integer minor units as a plain decimal in the currency's units: 45500 with exponent 3 → "45.500". Exact: no float division. */
export function toDecimal(minor: number, exponent: number): string {
  const sign = minor < 0 ? '-' : '';
  const digits = Math.abs(minor).toString().padStart(exponent + 1, '0');
  return exponent === 0 ? sign + digits : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** The inverse of toDecimal: "45.5" with exponent 3 → 45500; null when it is not a decimal, has too many decimals, or is too big to be exact. */
export function fromDecimal(text: string, exponent: number): number | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > exponent) return null;
  // Digits joined as a string, then one conversion: no float multiplication to round.
  const minor = Number(sign + whole + fraction.padEnd(exponent, '0'));
  return Number.isSafeInteger(minor) ? (minor === 0 ? 0 : minor) : null;
}

/**
 * Integer minor units as money: 50000 TND → "50,000 TND" (3 decimals). Pass
 * the `exponent` a view carries when there is one; otherwise the shared table
 * gives it. Intl is told the fraction digits, so its own data never decides them.
 */
export function formatMoney(minor: number, currency: string, locale: Locale, exponent: number | null = currencyExponent(currency)): string {
  // A currency outside the table cannot be scaled honestly: show the minor units as they are.
  if (exponent === null) return `${minor} (minor units) ${currency}`;
  const decimal = toDecimal(minor, exponent);
  try {
    return new Intl.NumberFormat(intlLocales[locale], { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent })
      .format(decimal as Intl.StringNumericLiteral);
  } catch {
    return `${decimal} ${currency}`;
  }
}

/** A zone Intl does not know (an old build's data) falls back to UTC rather than throwing while a page renders. */
function knownZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return displayTimeZone;
  }
}

/** A date and time in `timeZone` (the event's), with the zone named: "Saturday 10 July 2027 at 21:00 Africa/Tunis". */
export function formatDate(iso: string, locale: Locale, style: 'long' | 'short' = 'long', timeZone: string = displayTimeZone): string {
  const zone = knownZone(timeZone);
  return new Intl.DateTimeFormat(intlLocales[locale], {
    dateStyle: style === 'long' ? 'full' : 'medium',
    timeStyle: 'short',
    timeZone: zone,
  }).format(new Date(iso)) + ` ${zone}`;
}

/** A time of day, with the zone named like formatDate's. */
export function formatTime(ms: number, locale: Locale, timeZone: string = displayTimeZone): string {
  const zone = knownZone(timeZone);
  return new Intl.DateTimeFormat(intlLocales[locale], { timeStyle: 'short', timeZone: zone }).format(new Date(ms)) + ` ${zone}`;
}


/**
 * A clock time ("17:34") in `timeZone`, or in the device's own zone when none
 * is given: at a door the scanner is where the event is, so its clock is local.
 */
export function formatClockTime(iso: string | null, locale: Locale, timeZone?: string | null): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return new Intl.DateTimeFormat(intlLocales[locale], { hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone: knownZone(timeZone) } : {}) }).format(at);
}

export function formatNumber(n: number, locale: Locale): string {
  return new Intl.NumberFormat(intlLocales[locale]).format(n);
}

/** A countdown: "7:59" under an hour, "1:02:03" above. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** A wait in words: "less than a minute", "12 min". */
export function formatWait(ms: number, t: Translate): string {
  if (ms < 60_000) return t('time.lessThanMinute');
  return t('time.minutes', { count: Math.round(ms / 60_000) });
}
