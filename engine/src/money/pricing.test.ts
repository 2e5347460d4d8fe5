import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../assert.ts';
import { feePerTicket } from './fees.ts';
import { discountPerTicket, priceLine, priceOrder, type Discount } from './pricing.ts';

const price = fc.integer({ min: 0, max: 1_000_000_000 });
const percent = fc.integer({ min: 1, max: 100 });
const amountOff = fc.integer({ min: 1, max: 2_000_000_000 });
const discount: fc.Arbitrary<Discount> = fc.oneof(
  percent.map((p) => ({ kind: 'percent' as const, percent: p })),
  amountOff.map((a) => ({ kind: 'amount' as const, amountOff: a })),
);
const bps = fc.integer({ min: 0, max: 10_000 });

describe('discountPerTicket', () => {
  it('rounds a percent half up per ticket: 15 % of TND 12.345 → 1.852 off', () => {
    expect(discountPerTicket(12_345, { kind: 'percent', percent: 15 })).toBe(1_852);
  });

  it('rounds an exact half up and below a half down: 10 % of 5 cents → 1, of 4 cents → 0', () => {
    expect(discountPerTicket(5, { kind: 'percent', percent: 10 })).toBe(1);
    expect(discountPerTicket(4, { kind: 'percent', percent: 10 })).toBe(0);
  });

  it('takes an amount off up to the price, never below zero', () => {
    expect(discountPerTicket(2_000, { kind: 'amount', amountOff: 500 })).toBe(500);
    expect(discountPerTicket(300, { kind: 'amount', amountOff: 500 })).toBe(300);
  });

  it('100 % makes a free ticket; no code takes nothing off', () => {
    expect(discountPerTicket(4_999, { kind: 'percent', percent: 100 })).toBe(4_999);
    expect(discountPerTicket(4_999, null)).toBe(0);
  });

  it('refuses terms outside the rule as a bug', () => {
    expect(() => discountPerTicket(100, { kind: 'percent', percent: 0 })).toThrow(InvariantError);
    expect(() => discountPerTicket(100, { kind: 'percent', percent: 101 })).toThrow(InvariantError);
    expect(() => discountPerTicket(100, { kind: 'percent', percent: 12.5 })).toThrow(InvariantError);
    expect(() => discountPerTicket(100, { kind: 'amount', amountOff: 0 })).toThrow(InvariantError);
    expect(() => discountPerTicket(-1, null)).toThrow(InvariantError);
  });

  it('is an integer from 0 to the price, for any price and terms', () => {
    fc.assert(fc.property(price, discount, (p, d) => {
      const off = discountPerTicket(p, d);
      expect(Number.isSafeInteger(off)).toBe(true);
      expect(off).toBeGreaterThanOrEqual(0);
      expect(off).toBeLessThanOrEqual(p);
    }));
  });

  it('matches exact rational half-up for percents (deterministic: the same inputs, the same cent)', () => {
    fc.assert(fc.property(price, percent, (p, pct) => {
      const off = discountPerTicket(p, { kind: 'percent', percent: pct });
      expect(BigInt(off)).toBe((BigInt(p) * BigInt(pct) + 50n) / 100n);
      expect(discountPerTicket(p, { kind: 'percent', percent: pct })).toBe(off);
    }));
  });

  it('never takes more off for a smaller percent, nor for a smaller amount', () => {
    fc.assert(fc.property(price, percent, percent, (p, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(discountPerTicket(p, { kind: 'percent', percent: lo })).toBeLessThanOrEqual(discountPerTicket(p, { kind: 'percent', percent: hi }));
    }));
  });
});

describe('priceLine: the fee on the price actually paid', () => {
  it('charges the paid price and takes the fee on it: EUR 20.00 less 25 % = 15.00, fee 4 % = 0.60', () => {
    const line = priceLine({ unitPrice: 2_000, quantity: 3 }, { kind: 'percent', percent: 25 }, 400);
    expect(line).toMatchObject({ unitDiscount: 500, paidUnitPrice: 1_500, feePerTicket: 60, gross: 6_000, discount: 1_500, amount: 4_500, fee: 180 });
  });

  it('a free ticket carries no fee', () => {
    expect(priceLine({ unitPrice: 2_000, quantity: 1 }, { kind: 'amount', amountOff: 5_000 }, 400)).toMatchObject({ amount: 0, fee: 0 });
  });

  it('for any line: amount = gross − discount ≥ 0, fee = feePerTicket(paid) × quantity, fee ≤ amount', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100 }), fc.option(discount), bps, (p, q, d, b) => {
      const line = priceLine({ unitPrice: p, quantity: q }, d, b);
      expect(line.amount).toBe(line.gross - line.discount);
      expect(line.amount).toBeGreaterThanOrEqual(0);
      expect(line.amount).toBeLessThanOrEqual(line.gross);
      expect(line.fee).toBe(feePerTicket(p - discountPerTicket(p, d), b) * q);
      expect(line.fee).toBeLessThanOrEqual(line.amount);
    }));
  });
});

describe('priceOrder', () => {
  it('discounts only the lines the code covers', () => {
    const lines = [{ typeId: 'a', unitPrice: 1_000, quantity: 2 }, { typeId: 'b', unitPrice: 3_000, quantity: 1 }];
    const order = priceOrder(lines, { kind: 'percent', percent: 10 }, 400, (l) => l.typeId === 'b');
    expect(order).toMatchObject({ gross: 5_000, discount: 300, amount: 4_700, fee: 80 + 108 });
  });

  it('an order of several lines pays what its lines bought one by one would pay', () => {
    const line = fc.record({ unitPrice: fc.integer({ min: 0, max: 1_000_000 }), quantity: fc.integer({ min: 1, max: 20 }) });
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.option(discount), bps, (lines, d, b) => {
      const whole = priceOrder(lines, d, b);
      const apart = lines.map((l) => priceOrder([l], d, b));
      expect(whole.amount).toBe(apart.reduce((n, o) => n + o.amount, 0));
      expect(whole.fee).toBe(apart.reduce((n, o) => n + o.fee, 0));
      expect(whole.discount).toBe(apart.reduce((n, o) => n + o.discount, 0));
    }));
  });
});
