import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceMinorMax } from '../../../engine/src/constants.ts';
import { formatMoney as serverFormat } from '../../../engine/src/money/currency.ts';
import { minorUnitExponent as serverExponent, supportedCurrencies } from '../../../engine/src/money/currency_table.ts';
import { currencyExponent, formatMoney, fromDecimal, toDecimal } from './format.ts';
import { intlLocales, type Locale } from './i18n';
import { toMinor } from './organizer/form.ts';

const locales = Object.keys(intlLocales) as Locale[];
const currency = fc.constantFrom(...supportedCurrencies);
const minor = fc.integer({ min: 0, max: priceMinorMax });

/** What a reader sees in a formatted amount, as a plain decimal: symbol, grouping and direction marks dropped, the locale's decimal sign as ".". */
function shownDecimal(text: string, currencyCode: string, locale: Locale, exponent: number): string {
  const parts = new Intl.NumberFormat(intlLocales[locale], { style: 'currency', currency: currencyCode, minimumFractionDigits: exponent, maximumFractionDigits: exponent })
    .formatToParts('1234567.891' as Intl.StringNumericLiteral);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  let out = text;
  for (const drop of [part('currency'), part('group'), part('literal')]) if (drop) out = out.split(drop).join('');
  const decimal = part('decimal');
  if (decimal) out = out.split(decimal).join('.');
  return out.replace(/[\s\u200e\u200f\u061c]/g, '');
}

describe('storefront money uses the server\'s currency table', () => {
  it('gives HUF 2, IQD 3 and IDR 2 decimals, as the server does (the browser\'s Intl says 0)', () => {
    expect([currencyExponent('HUF'), currencyExponent('IQD'), currencyExponent('IDR')]).toEqual([2, 3, 2]);
    expect(formatMoney(12_345, 'HUF', 'en')).toMatch(/123\.45/);
    expect(formatMoney(12_345, 'IQD', 'en')).toMatch(/12\.345/);
    expect(formatMoney(12_345, 'IDR', 'en')).toMatch(/123\.45/);
    expect(toMinor('123.45', 'HUF')).toBe(12_345);
    expect(toMinor('12.345', 'IQD')).toBe(12_345);
  });

  it('knows every currency the server accepts, with the server\'s exponent', () => {
    for (const code of supportedCurrencies) expect(currencyExponent(code)).toBe(serverExponent(code));
    expect(currencyExponent('XYZ')).toBeNull();
    expect(toMinor('12', 'XYZ')).toBeNull();
  });

  it('formats with the exponent a view carries, not Intl\'s own fraction digits', () => {
    expect(formatMoney(12_345, 'HUF', 'en', 2)).toMatch(/123\.45/);
    expect(formatMoney(500, 'JPY', 'en', 0)).toMatch(/500$/);
    expect(formatMoney(12, 'XYZ', 'en')).toBe('12 (minor units) XYZ');
  });
});

describe('format and parse round trip (property, every currency in the table)', () => {
  it('parses back what it formats: toMinor(toDecimal(x)) === x, with "." or ","', () => {
    fc.assert(fc.property(currency, minor, (code, x) => {
      const exponent = serverExponent(code);
      const text = toDecimal(x, exponent);
      expect(text.split('.')[1]?.length ?? 0).toBe(exponent);
      expect(fromDecimal(text, exponent)).toBe(x);
      expect(toMinor(text, code)).toBe(x);
      expect(toMinor(text.replace('.', ','), code, exponent)).toBe(x);
    }), { numRuns: 2_000 });
    for (const code of supportedCurrencies) for (const x of [0, 1, 9, 10, 999, priceMinorMax]) expect(toMinor(toDecimal(x, serverExponent(code)), code)).toBe(x);
  });

  it('shows exactly the amount, with the currency\'s decimals, in every storefront locale', () => {
    fc.assert(fc.property(currency, minor, fc.constantFrom(...locales), (code, x, locale) => {
      const exponent = serverExponent(code);
      const shown = shownDecimal(formatMoney(x, code, locale), code, locale, exponent);
      expect(shown).toBe(toDecimal(x, exponent));
      expect(fromDecimal(shown, exponent)).toBe(x);
    }), { numRuns: 2_000 });
  });

  it('shows what the server\'s emails show, with the exponent an event view carries', () => {
    fc.assert(fc.property(currency, minor, fc.constantFrom(...locales), (code, x, locale) => {
      expect(formatMoney(x, code, locale, serverExponent(code))).toBe(serverFormat({ amount: x, currency: code }, intlLocales[locale]));
    }), { numRuns: 2_000 });
  });

  it('is exact beyond float precision', () => {
    expect(toDecimal(Number.MAX_SAFE_INTEGER, 3)).toBe('9007199254740.991');
    expect(fromDecimal('9007199254740.991', 3)).toBe(Number.MAX_SAFE_INTEGER);
    expect(fromDecimal('9007199254740.992', 3)).toBeNull();
    expect(fromDecimal('1.2345', 3)).toBeNull();
  });
});
