import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvariantError } from '../assert.ts';
import { feePerTicket, payout, payoutCsv, platformFeeBpsDefault, type PayoutLine } from './fees.ts';

const price = fc.integer({ min: 0, max: 100_000_000 });
const bps = fc.integer({ min: 0, max: 10_000 });
const line: fc.Arbitrary<PayoutLine> = fc
  .record({ price, quantity: fc.integer({ min: 0, max: 10_000 }), refundedFraction: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ price, quantity, refundedFraction }) => ({ price, quantity, refundedQuantity: Math.floor(quantity * refundedFraction) }));

describe('feePerTicket', () => {
  it('defaults to 4 % (400 basis points)', () => {
    expect(platformFeeBpsDefault).toBe(400);
    expect(feePerTicket(10_000)).toBe(400);
  });

  it('rounds half up to the minor unit: TND 12.345 at 4 % → 0.494 (493.8 millimes up)', () => {
    expect(feePerTicket(12_345, 400)).toBe(494);
  });

  it('rounds an exact half up: EUR 0.25 at 2 % → 0.5 cent → 1 cent; EUR 0.24 → 0.48 cent → 0', () => {
    expect(feePerTicket(25, 200)).toBe(1);
    expect(feePerTicket(24, 200)).toBe(0);
  });

  it('rounds down below a half: EUR 0.12 at 4 % → 0.48 cent → 0; EUR 0.13 → 0.52 cent → 1 cent', () => {
    expect(feePerTicket(12, 400)).toBe(0);
    expect(feePerTicket(13, 400)).toBe(1);
  });

  it('is an integer from 0 to the price for any price and rate, and matches exact rational half-up', () => {
    fc.assert(fc.property(price, bps, (p, b) => {
      const fee = feePerTicket(p, b);
      expect(Number.isInteger(fee)).toBe(true);
      expect(fee).toBeGreaterThanOrEqual(0);
      expect(fee).toBeLessThanOrEqual(p);
      expect(BigInt(fee)).toBe((BigInt(p) * BigInt(b) + 5000n) / 10000n);
    }));
  });

  it('stays exact for prices where a float quotient would round across an integer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Math.floor((Number.MAX_SAFE_INTEGER - 5000) / 10_000) }), (p) => {
      expect(BigInt(feePerTicket(p, 10_000))).toBe(BigInt(p));
      expect(BigInt(feePerTicket(p, 9_999))).toBe((BigInt(p) * 9999n + 5000n) / 10000n);
    }));
  });

  it('refuses non-integer prices, negative prices and rates outside 0..10000 bps', () => {
    expect(() => feePerTicket(10.5)).toThrow(InvariantError);
    expect(() => feePerTicket(-1)).toThrow(InvariantError);
    expect(() => feePerTicket(100, 10_001)).toThrow(/0 to 10000 basis points/);
    expect(() => feePerTicket(100, 4.5)).toThrow(InvariantError);
    expect(() => feePerTicket(Number.MAX_SAFE_INTEGER, 400)).toThrow(/too large/);
  });
});

describe('payout', () => {
  it('TND: 100 × 50.000 with 10 refunded and 20 × 12.345 at 4 % → gross 5246.900, fees 189.880, refunds 500.000, net 4557.020', () => {
    const report = payout([
      { label: 'Standard', price: 50_000, quantity: 100, refundedQuantity: 10 },
      { label: 'Student', price: 12_345, quantity: 20, refundedQuantity: 0 },
    ], 'TND');
    // Fees: 90 × 2.000 + 20 × 0.494 = 180.000 + 9.880.
    expect(report).toMatchObject({ currency: 'TND', feeBps: 400, gross: 5_246_900, fees: 189_880, refunds: 500_000, net: 4_557_020 });
    expect(report.lines.map((l) => l.feePerTicket)).toEqual([2_000, 494]);
  });

  it('EUR: 3 × 19.99 with 1 refunded and 1000 × 0.13 at 4 % → gross 189.97, fees 11.60, refunds 19.99, net 158.38', () => {
    const report = payout([
      { price: 1_999, quantity: 3, refundedQuantity: 1 },
      { price: 13, quantity: 1_000, refundedQuantity: 0 },
    ], 'EUR');
    // Fees: 2 × 0.80 (79.96 cents up) + 1000 × 0.01 (0.52 cent up) = 1.60 + 10.00.
    expect(report).toMatchObject({ gross: 18_997, fees: 1_160, refunds: 1_999, net: 15_838 });
  });

  it('keeps no fee on refunded tickets: a sale refunded in full pays out nothing and earns nothing', () => {
    expect(payout([{ price: 50_000, quantity: 4, refundedQuantity: 4 }], 'TND')).toMatchObject({ gross: 200_000, fees: 0, refunds: 200_000, net: 0 });
  });

  it('keeps gross = Σ price×qty, net = gross − fees − refunds, and fees = Σ per-ticket fees with no drift', () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 20 }), bps, fc.constantFrom('TND', 'EUR', 'JPY'), (lines, b, currency) => {
      const report = payout(lines, currency, b);
      for (const amount of [report.gross, report.fees, report.refunds, report.net]) expect(Number.isSafeInteger(amount)).toBe(true);
      expect(report.gross).toBe(lines.reduce((sum, l) => sum + l.price * l.quantity, 0));
      expect(report.refunds).toBe(lines.reduce((sum, l) => sum + l.price * l.refundedQuantity, 0));
      let perTicketFees = 0;
      for (const l of lines) for (let i = 0; i < l.quantity - l.refundedQuantity; i++) perTicketFees += feePerTicket(l.price, b);
      expect(report.fees).toBe(perTicketFees);
      expect(report.net).toBe(report.gross - report.fees - report.refunds);
      expect(report.net).toBeGreaterThanOrEqual(0);
    }), { numRuns: 200 });
  });

  it('refuses a refunded quantity larger than the quantity, or a currency it does not know', () => {
    expect(() => payout([{ price: 100, quantity: 1, refundedQuantity: 2 }], 'EUR')).toThrow(/refundedQuantity must be an integer from 0 to quantity/);
    expect(() => payout([{ price: 100, quantity: 1.5, refundedQuantity: 0 }], 'EUR')).toThrow(InvariantError);
    expect(() => payout([], 'XXX')).toThrow(InvariantError);
  });
});

describe('payout with promo discounts', () => {
  it('takes the fee on the price paid and shows the discounts: 2 × EUR 20.00 at 25 % off, one refunded', () => {
    const report = payout([{ label: 'GA', price: 2_000, discountPerTicket: 500, quantity: 2, refundedQuantity: 1 }], 'EUR');
    // Paid 15.00 each; fee 4 % of 15.00 = 0.60 on the one kept; the refund gives back 15.00.
    expect(report).toMatchObject({ gross: 4_000, discounts: 1_000, fees: 60, refunds: 1_500, net: 1_440 });
    expect(report.lines[0]).toMatchObject({ paidPrice: 1_500, feePerTicket: 60 });
  });

  it('for any lines: net = gross − discounts − fees − refunds ≥ 0, fees = Σ fee(paid price) × tickets kept', () => {
    const discounted = fc.record({ price: fc.integer({ min: 0, max: 10_000_000 }), quantity: fc.integer({ min: 0, max: 1_000 }), off: fc.double({ min: 0, max: 1, noNaN: true }), refundedFraction: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ price, quantity, off, refundedFraction }) => ({ price, discountPerTicket: Math.floor(price * off), quantity, refundedQuantity: Math.floor(quantity * refundedFraction) }));
    fc.assert(fc.property(fc.array(discounted, { maxLength: 8 }), bps, (lines, b) => {
      const report = payout(lines, 'EUR', b);
      expect(report.net).toBe(report.gross - report.discounts - report.fees - report.refunds);
      expect(report.net).toBeGreaterThanOrEqual(0);
      expect(report.discounts).toBe(lines.reduce((n, l) => n + l.discountPerTicket * l.quantity, 0));
      expect(report.fees).toBe(lines.reduce((n, l) => n + feePerTicket(l.price - l.discountPerTicket, b) * (l.quantity - l.refundedQuantity), 0));
    }));
  });
});

describe('payoutCsv', () => {

  it('writes TND amounts with 3 decimals (50000 → "50.000") and a total row', () => {
    const csv = payoutCsv(payout([{ label: 'Standard', price: 50_000, quantity: 2, refundedQuantity: 1 }], 'TND'));
    expect(csv.split('\r\n')).toEqual([
      'line,price,discount_per_ticket,quantity,refunded_quantity,fee_per_ticket,gross,discounts,fees,refunds,net,currency',
      'Standard,50.000,0.000,2,1,2.000,100.000,0.000,2.000,50.000,48.000,TND',
      'total,,,2,1,,100.000,0.000,2.000,50.000,48.000,TND',
      '',
    ]);
  });

  it('writes EUR amounts with 2 decimals and quotes labels that need it', () => {
    const csv = payoutCsv(payout([{ label: 'VIP, "front"', price: 1_999, quantity: 1, refundedQuantity: 0 }, { label: '=HYPERLINK()', price: 5, quantity: 1, refundedQuantity: 0 }], 'EUR'));
    const rows = csv.split('\r\n');
    expect(rows[1]).toBe('"VIP, ""front""",19.99,0.00,1,0,0.80,19.99,0.00,0.80,0.00,19.19,EUR');
    expect(rows[2]).toBe("'=HYPERLINK(),0.05,0.00,1,0,0.00,0.05,0.00,0.00,0.00,0.05,EUR");
  });
});
