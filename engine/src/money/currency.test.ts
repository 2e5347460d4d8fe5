import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvariantError } from '../assert.ts';
import { addMoney, formatMoney, minorUnitExponent, money, subtractMoney, toDecimalString } from './currency.ts';

describe('currency exponents', () => {
  it('knows TND has 3 decimals, EUR/USD/GBP 2 and JPY 0', () => {
    expect([minorUnitExponent('TND'), minorUnitExponent('EUR'), minorUnitExponent('USD'), minorUnitExponent('GBP'), minorUnitExponent('JPY')]).toEqual([3, 2, 2, 2, 0]);
  });

  it('refuses a currency it does not know rather than guess its exponent', () => {
    expect(() => minorUnitExponent('XYZ')).toThrow(/ISO 4217/);
    expect(() => money(100, 'eur')).toThrow(InvariantError);
  });
});

describe('addMoney and subtractMoney', () => {
  it('adds and subtracts in one currency: EUR 12.05 + EUR 0.95 = EUR 13.00', () => {
    expect(addMoney(money(1205, 'EUR'), money(95, 'EUR'))).toEqual({ amount: 1300, currency: 'EUR' });
    expect(subtractMoney(money(50_000, 'TND'), money(1_500, 'TND'))).toEqual({ amount: 48_500, currency: 'TND' });
  });

  it('refuses to mix currencies', () => {
    expect(() => addMoney(money(100, 'EUR'), money(100, 'TND'))).toThrow(/cannot mix currencies: EUR and TND/);
    expect(() => subtractMoney(money(100, 'USD'), money(100, 'EUR'))).toThrow(InvariantError);
  });

  it('refuses amounts that are not integers of minor units', () => {
    expect(() => addMoney({ amount: 12.5, currency: 'EUR' }, money(1, 'EUR'))).toThrow(/safe integer/);
    expect(() => money(Number.NaN, 'EUR')).toThrow(InvariantError);
    expect(() => addMoney(money(Number.MAX_SAFE_INTEGER, 'EUR'), money(1, 'EUR'))).toThrow(InvariantError);
  });

  it('is exact and reversible for any integer amounts', () => {
    const amount = fc.integer({ min: -1e12, max: 1e12 });
    fc.assert(fc.property(amount, amount, (a, b) => {
      const sum = addMoney(money(a, 'TND'), money(b, 'TND'));
      expect(sum.amount).toBe(a + b);
      expect(subtractMoney(sum, money(b, 'TND')).amount).toBe(a);
    }));
  });
});

describe('toDecimalString', () => {
  it('writes TND 50000 as "50.000", EUR 5 as "0.05", EUR -1205 as "-12.05", JPY 500 as "500"', () => {
    expect(toDecimalString(money(50_000, 'TND'))).toBe('50.000');
    expect(toDecimalString(money(5, 'EUR'))).toBe('0.05');
    expect(toDecimalString(money(-1205, 'EUR'))).toBe('-12.05');
    expect(toDecimalString(money(500, 'JPY'))).toBe('500');
    expect(toDecimalString(money(0, 'TND'))).toBe('0.000');
  });

  it('round-trips every amount exactly', () => {
    fc.assert(fc.property(fc.integer({ min: -1e15, max: 1e15 }), fc.constantFrom('TND', 'EUR', 'JPY'), (amount, currency) => {
      const text = toDecimalString(money(amount, currency));
      expect(BigInt(text.replace('.', ''))).toBe(BigInt(amount));
      expect(text.split('.')[1]?.length ?? 0).toBe(minorUnitExponent(currency));
    }));
  });
});

describe('formatMoney', () => {
  it('shows TND with 3 decimals and EUR with 2, in the given locale', () => {
    expect(formatMoney(money(50_000, 'TND'), 'en-US')).toMatch(/50\.000/);
    expect(formatMoney(money(12_345, 'TND'), 'fr-TN')).toMatch(/12,345/);
    expect(formatMoney(money(1205, 'EUR'), 'en-US')).toBe('€12.05');
    expect(formatMoney(money(1205, 'EUR'), 'fr-FR')).toMatch(/^12,05\s€$/);
    expect(formatMoney(money(500, 'JPY'), 'en-US')).toBe('¥500');
  });

  it('formats amounts beyond float precision without rounding them', () => {
    expect(formatMoney(money(9_007_199_254_740_991, 'EUR'), 'en-US')).toBe('€90,071,992,547,409.91');
  });
});
