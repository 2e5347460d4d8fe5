import { intlLocales, type Locale, type Translate } from './i18n';

/** Dates are shown in one zone, stated beside them, so server and browser render the same text. */
export const displayTimeZone = 'UTC';

/** Digits after the decimal point of a currency (TND 3, EUR 2, JPY 0), from the platform's own ISO 4217 data. */
export function currencyExponent(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Integer minor units as money: 50000 TND → "50,000 TND" (3 decimals). */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  const exponent = currencyExponent(currency);
  try {
    return new Intl.NumberFormat(intlLocales[locale], { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent })
      .format(minor / 10 ** exponent);
  } catch {
    return `${(minor / 10 ** exponent).toFixed(exponent)} ${currency}`;
  }
}

export function formatDate(iso: string, locale: Locale, style: 'long' | 'short' = 'long'): string {
  return new Intl.DateTimeFormat(intlLocales[locale], {
    dateStyle: style === 'long' ? 'full' : 'medium',
    timeStyle: 'short',
    timeZone: displayTimeZone,
  }).format(new Date(iso)) + ` ${displayTimeZone}`;
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
