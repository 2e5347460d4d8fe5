import { describe, expect, it } from 'vitest';
import { receiptLine, receiptOf, receiptOrNull, type Receipt } from '../orders/receipt.ts';
import { renderEmail } from './templates.ts';

const orderId = '6f1c0a2b-1111-4000-8000-000000000000';
const order = { id: orderId, amount: 50_000, currency: 'TND', provider: 'simulated' as const, createdAt: new Date('2027-03-01T09:00:00Z'), paidAt: new Date('2027-03-01T23:30:00Z') };
const receipt: Receipt = receiptOf(order, [receiptLine('t1', 'Balcon <VIP>', 2, 25_000)], 'Africa/Tunis');
const data = {
  name: 'Amel', eventName: 'Nuit du Jazz', venue: 'Carthage', startsAt: '2027-07-10T19:00:00.000Z', timeZone: 'Africa/Tunis', orderId,
  ticketsUrl: `https://tickr.test/orders/${orderId}`, tickets: [], receipt, calendarUrl: `https://tickr.test/api/orders/${orderId}/calendar?token=abc`,
};

/** Intl puts no-break spaces between amount and currency; the assertions read plain ones. */
const plain = (mail: { text: string; html: string }) => ({ text: mail.text.replace(/[\u00a0\u202f]/g, ' '), html: mail.html.replace(/[\u00a0\u202f]/g, ' ') });

describe('the confirmation email carries the receipt (#15)', () => {
  it('lists type, quantity, unit price and amount, the total, the provider, the order number and the date in the event\'s zone (en)', () => {
    const mail = plain(renderEmail('order_confirmation', 'en', data));
    expect(mail.text).toContain('Receipt · Order 6F1C0A2B');
    expect(mail.text).toContain('2 × Balcon <VIP> (TND 25.000 each): TND 50.000');
    expect(mail.text).toContain('Total: TND 50.000');
    expect(mail.text).toContain('Paid with: Test card (simulated)');
    // Paid at 23:30 UTC on 1 March: already 2 March, 00:30, in Tunis (UTC+1).
    expect(mail.text).toContain('Date: Tuesday, March 2, 2027 at 12:30 AM Africa/Tunis');
    expect(mail.text).toContain(`Add it to your calendar:\n${data.calendarUrl}`);
    expect(mail.html).toContain('Balcon &lt;VIP&gt;');
    expect(mail.html).not.toContain('<VIP>');
    expect(mail.html).toContain(`href="https://tickr.test/api/orders/${orderId}/calendar?token=abc"`);
  });

  it('speaks French and Arabic, amounts formatted for the language with the currency\'s 3 decimals', () => {
    const fr = plain(renderEmail('order_confirmation', 'fr', data));
    expect(fr.text).toMatch(/Total: 50,000\s?TND/);
    expect(fr.text).toContain('Payé par: Carte de test (simulée)');
    expect(fr.text).toContain('Ajoutez-le à votre agenda');
    const ar = plain(renderEmail('order_confirmation', 'ar', data));
    expect(ar.text).toContain('الإيصال');
    expect(ar.text).toContain('المجموع');
    expect(ar.html).toContain('dir="rtl"');
  });

  it('shows every line and adjustment, so a basket or a discount needs no other template', () => {
    const basket = receiptOf({ ...order, amount: 60_000 }, [receiptLine('t1', 'Fosse', 2, 20_000), receiptLine('t2', 'Balcon', 1, 25_000)], 'UTC',
      [{ kind: 'discount', label: 'PROMO10', amount: -5_000 }]);
    const mail = plain(renderEmail('order_confirmation', 'en', { ...data, receipt: basket }));
    expect(mail.text).toContain('2 × Fosse (TND 20.000 each): TND 40.000');
    expect(mail.text).toContain('1 × Balcon (TND 25.000 each): TND 25.000');
    expect(mail.text).toContain('Discount (PROMO10): -TND 5.000');
    expect(mail.text).toContain('Total: TND 60.000');
  });

  it('renders an email queued before receipts existed as before', () => {
    const { receipt: _r, calendarUrl: _c, ...old } = data;
    const mail = plain(renderEmail('order_confirmation', 'en', old));
    expect(mail.text).not.toContain('Receipt');
    expect(mail.text).toContain(data.ticketsUrl);
  });
});

describe('receiptOf', () => {
  it('refuses lines that do not add up to what the order took', () => {
    expect(() => receiptOf({ ...order, amount: 49_999 }, [receiptLine('t1', 'A', 2, 25_000)], 'UTC')).toThrow(/add up to 50000/);
  });
});

describe('receiptOrNull', () => {
  it('gives no receipt, rather than a wrong one, when the lines do not add up', () => {
    expect(receiptOrNull({ ...order, amount: 45_000 }, [receiptLine('t1', 'A', 2, 25_000)], 'UTC')).toBeNull();
    expect(receiptOrNull(order, [], 'UTC')).toBeNull();
    expect(receiptOrNull(order, [receiptLine('t1', 'A', 2, 25_000)], 'UTC')?.total).toBe(50_000);
  });
});
