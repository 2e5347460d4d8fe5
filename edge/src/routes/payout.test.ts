import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feePerTicket, payout } from '../../../engine/src/money/fees.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/** The payout report through the API: TND (3 decimals) and EUR (2), with refunds, as JSON and CSV. */

let n: OrdersNode;
let organizer: { token: string; id: string };
let otherOrganizer: { token: string; id: string };
let buyer: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, otherOrganizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('organizer', 'org2'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  await n?.stop();
});

const status = async (id: string) => (await n.t.db.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status as string;

async function buy(eventId: string, typeId: string, qty: number): Promise<string> {
  const hold = await n.api.hold(buyer.token, eventId, typeId, qty);
  expect(hold.status).toBe(201);
  const order = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: {} });
  await n.api.call('POST', `/api/payments/simulated/${order.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
  await until(async () => (await status(order.body.id)) === 'ticketed', 'tickets');
  return order.body.id;
}

async function refund(orderId: string): Promise<void> {
  expect((await n.api.call('POST', `/api/orders/${orderId}/refund`, { token: organizer.token })).status).toBe(202);
  await until(async () => (await status(orderId)) === 'refunded', 'the refund');
}

describe('payout', () => {
  it('sums TND in millimes: fee per ticket rounded half up, none on refunded tickets', async () => {
    const event = await n.api.createEvent(organizer.token, {
      currency: 'TND',
      ticketTypes: [{ name: 'General', price: 12_345, capacity: 50 }, { name: 'VIP', price: 50_000, capacity: 5 }],
    });
    const [ga, vip] = event.typeIds as [string, string];
    await buy(event.id, ga, 2);
    await refund(await buy(event.id, ga, 1));
    await buy(event.id, vip, 1);
    // Pending and failed orders are no sale.
    const pending = await n.api.hold(buyer.token, event.id, ga, 1);
    await n.api.call('POST', `/api/holds/${pending.body.holdId}/checkout`, { token: buyer.token, body: {} });

    const report = await n.api.call('GET', `/api/events/${event.id}/payout`, { token: organizer.token });
    expect(report.status).toBe(200);
    // 4 % of 12.345 TND = 0.4938 → 0.494; of 50.000 = 2.000.
    expect(report.body).toMatchObject({
      eventId: event.id, currency: 'TND', exponent: 3, feeBps: 400,
      gross: 87_035, fees: 2_988, refunds: 12_345, net: 71_702,
      lines: [
        { label: 'General', price: 12_345, quantity: 3, refundedQuantity: 1, feePerTicket: 494, gross: 37_035, fees: 988, refunds: 12_345, net: 23_702 },
        { label: 'VIP', price: 50_000, quantity: 1, refundedQuantity: 0, feePerTicket: 2_000, gross: 50_000, fees: 2_000, refunds: 0, net: 48_000 },
      ],
    });

    const csv = await fetch(`${n.base}/api/events/${event.id}/payout?format=csv`, { headers: { authorization: `Bearer ${organizer.token}` } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toBe('line,price,discount_per_ticket,quantity,refunded_quantity,fee_per_ticket,gross,discounts,fees,refunds,net,currency');
    expect(lines[1]).toBe('General,12.345,0.000,3,1,0.494,37.035,0.000,0.988,12.345,23.702,TND');
    expect(lines[3]).toBe('total,,,4,1,,87.035,0.000,2.988,12.345,71.702,TND');
    const negotiated = await fetch(`${n.base}/api/events/${event.id}/payout`, { headers: { authorization: `Bearer ${organizer.token}`, accept: 'text/csv' } });
    expect(await negotiated.text()).toBe(lines.join('\r\n'));
  });

  it('sums EUR in cents', async () => {
    const event = await n.api.createEvent(organizer.token, { currency: 'EUR', ticketTypes: [{ name: 'GA', price: 1_999, capacity: 20 }] });
    await buy(event.id, event.typeIds[0]!, 3);
    await refund(await buy(event.id, event.typeIds[0]!, 2));
    const report = await n.api.call('GET', `/api/events/${event.id}/payout?format=json`, { token: organizer.token });
    // 4 % of 19.99 = 0.7996 → 0.80 per ticket, on 3 tickets kept.
    expect(report.body).toMatchObject({ currency: 'EUR', exponent: 2, gross: 9_995, fees: 240, refunds: 3_998, net: 5_757 });
  });

  it('shows the report to the event\'s organizer only', async () => {
    const event = await n.api.createEvent(organizer.token);
    expect((await n.api.call('GET', `/api/events/${event.id}/payout`, { token: otherOrganizer.token })).status).toBe(404);
    expect((await n.api.call('GET', `/api/events/${event.id}/payout`, { token: buyer.token })).status).toBe(403);
    expect((await n.api.call('GET', `/api/events/${event.id}/payout?format=xml`, { token: organizer.token })).status).toBe(400);
    expect((await n.api.call('GET', '/api/events/nope/payout', { token: organizer.token })).status).toBe(404);
  });
});

describe('payout arithmetic (property)', () => {
  it('keeps gross = fees + refunds + net, with fees exactly the per-ticket fee of each kept ticket, in any currency', () => {
    const line = fc.record({ price: fc.integer({ min: 0, max: 10_000_000 }), quantity: fc.integer({ min: 0, max: 500 }), refunded: fc.integer({ min: 0, max: 500 }) })
      .map((l) => ({ price: l.price, quantity: l.quantity, refundedQuantity: Math.min(l.refunded, l.quantity) }));
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), fc.constantFrom('TND', 'EUR', 'USD', 'JPY'), fc.integer({ min: 0, max: 10_000 }), (lines, currency, bps) => {
      const report = payout(lines, currency, bps);
      expect(report.gross).toBe(report.fees + report.refunds + report.net);
      expect(report.fees).toBe(lines.reduce((sum, l) => sum + feePerTicket(l.price, bps) * (l.quantity - l.refundedQuantity), 0));
      expect(report.net).toBeGreaterThanOrEqual(0);
      // One order per ticket or one line per type: the same totals.
      const split = lines.flatMap((l) => Array.from({ length: Math.min(l.quantity, 5) }, (_, i) => ({ price: l.price, quantity: 1, refundedQuantity: i < l.refundedQuantity ? 1 : 0 })));
      const merged = lines.map((l) => ({ ...l, quantity: Math.min(l.quantity, 5), refundedQuantity: Math.min(l.refundedQuantity, Math.min(l.quantity, 5)) }));
      expect(payout(split, currency, bps).net).toBe(payout(merged, currency, bps).net);
    }), { numRuns: 300 });
  });
});
