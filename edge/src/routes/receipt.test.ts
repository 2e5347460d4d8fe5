import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarToken } from '../../../engine/src/calendar/calendar_link.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * The buyer's side of #15, end to end on a real node: the receipt of an order
 * (API and email), its calendar file (signed in, or by the email's signed
 * link), and the limit refusal that says how many tickets are left to take.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };
let other: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, buyer, other] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer'), n.api.signup('participant', 'other')]);
});

afterAll(async () => {
  await n?.stop();
});

async function paidOrder(over: Record<string, unknown> = {}, qty = 2) {
  const event = await n.api.createEvent(organizer.token, {
    name: 'Nuit; du, Jazz', venue: 'Théâtre de Carthage', address: '1 rue de Rome, Tunis', timeZone: 'Africa/Tunis', currency: 'TND',
    startsAt: '2027-07-10T19:00:00.000Z', endsAt: '2027-07-10T22:30:00.000Z',
    ticketTypes: [{ name: 'Balcon', price: 12_345, capacity: 50 }], ...over,
  });
  const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, qty);
  expect(hold.status).toBe(201);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
  expect(checkout.status).toBe(201);
  const pay = await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
  expect(pay.status).toBe(200);
  const order = await until(async () => {
    const a = await n.api.call('GET', `/api/orders/${checkout.body.id}`, { token: buyer.token });
    return a.body.status === 'ticketed' ? a.body : null;
  }, 'the order to be ticketed');
  return { event, order };
}

const get = (path: string, token?: string) => fetch(`${n.base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('receipt (#15)', () => {
  it('GET /api/orders/:id carries the receipt: lines, total, provider, order number, date and zone', async () => {
    const { order } = await paidOrder();
    expect(order.receipt).toMatchObject({
      orderId: order.id, orderNumber: order.id.replaceAll('-', '').slice(0, 8).toUpperCase(), currency: 'TND', total: 24_690, provider: 'simulated',
      timeZone: 'Africa/Tunis', adjustments: [], lines: [{ typeId: order.typeId, typeName: 'Balcon', quantity: 2, unitPrice: 12_345, amount: 24_690 }],
    });
    expect(order.receipt.date).toBe(order.paidAt);
  });

  it('the confirmation email shows the receipt and a calendar link that works without signing in', async () => {
    const { order } = await paidOrder();
    const mail = await until(async () => (await n.t.db.query(`SELECT body_text, body_html, data FROM email_outbox WHERE key = $1`, [`order_confirmation:${order.id}`])).rows[0], 'the email');
    const text = (mail.body_text as string).replace(/[\u00a0\u202f]/g, ' ');
    expect(text).toContain('2 × Balcon (TND 12.345 each): TND 24.690');
    expect(text).toContain('Total: TND 24.690');
    expect(text).toContain('Paid with: Test card (simulated)');
    expect(text).toContain(`Order: ${order.receipt.orderNumber}`);
    expect(text).toMatch(/Date: .+ Africa\/Tunis/);
    const link = /(http:\/\/shop\.test\/api\/orders\/[0-9a-f-]+\/calendar\?token=[\w-]+)/.exec(text)?.[1];
    expect(link).toBeDefined();
    // The storefront's /api proxy forwards the path as it is; the edge answers it.
    const file = await get(new URL(link!).pathname + new URL(link!).search);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(await file.text()).toContain('SUMMARY:Nuit\\; du\\, Jazz');
  });
});

describe('GET /api/orders/:id/calendar (#15)', () => {
  it('gives the buyer an RFC 5545 file: UTC times, location from venue and address, CRLF', async () => {
    const { order } = await paidOrder();
    const a = await get(`/api/orders/${order.id}/calendar`, buyer.token);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-disposition')).toBe(`attachment; filename="tickr-${order.receipt.orderNumber}.ics"`);
    const body = await a.text();
    expect(body.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(body.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n')).toBe(true);
    const unfolded = body.replace(/\r\n /g, '');
    expect(unfolded).toContain('\r\nDTSTART:20270710T190000Z\r\n');
    expect(unfolded).toContain('\r\nDTEND:20270710T223000Z\r\n');
    expect(unfolded).toContain('\r\nLOCATION:Théâtre de Carthage\\, 1 rue de Rome\\, Tunis\r\n');
    expect(unfolded).toContain(`\r\nUID:order-${order.id}@shop.test\r\n`);
    expect(unfolded).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
    for (const line of body.slice(0, -2).split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it('answers 404 to another account, to a wrong token and to a token of another order; 401 with neither', async () => {
    const { order } = await paidOrder();
    const { order: second } = await paidOrder();
    expect((await get(`/api/orders/${order.id}/calendar`, other.token)).status).toBe(404);
    expect((await get(`/api/orders/${order.id}/calendar?token=${calendarToken(n.config.tokenSecret, second.id)}`)).status).toBe(404);
    expect((await get(`/api/orders/${order.id}/calendar?token=${'A'.repeat(43)}`)).status).toBe(404);
    const malformed = await get(`/api/orders/${order.id}/calendar?token=short`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
    expect((await get(`/api/orders/${order.id}/calendar`)).status).toBe(401);
    expect((await get(`/api/orders/not-an-id/calendar`, buyer.token)).status).toBe(404);
  });

  it('has no file for an order that is not paid', async () => {
    const event = await n.api.createEvent(organizer.token);
    const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 1);
    const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
    const a = await get(`/api/orders/${checkout.body.id}/calendar`, buyer.token);
    expect(a.status).toBe(409);
    expect(((await a.json()) as { error: { code: string } }).error.code).toBe('order_not_paid');
  });
});

describe('the per-buyer limit (#15)', () => {
  it('refuses with how many tickets the buyer may still take', async () => {
    const event = await n.api.createEvent(organizer.token, { perBuyerLimit: 4 });
    expect((await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 3)).status).toBe(201);
    const refused = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'limit_reached', remaining: 1 });
    expect((await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 1)).status).toBe(201);
    const full = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 1);
    expect(full.body.error).toMatchObject({ code: 'limit_reached', remaining: 0 });
  });
});
