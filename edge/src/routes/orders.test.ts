import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Checkout, the simulated provider, orders' authorization and refunds, end to
 * end: real Postgres, engine, pg-boss jobs with the real handlers, the edge.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let otherOrganizer: { token: string; id: string };
let buyer: { token: string; id: string };
let otherBuyer: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, otherOrganizer, buyer, otherBuyer] = await Promise.all([
    n.api.signup('organizer', 'org'), n.api.signup('organizer', 'org2'), n.api.signup('participant', 'buyer'), n.api.signup('participant', 'buyer2'),
  ]);
});

afterAll(async () => {
  const problems = n?.logged.filter((l) => l.includes('failed')) ?? [];
  await n?.stop();
  // No request was a bug and no job had to be retried.
  expect(problems).toEqual([]);
});

function expectError(a: { status: number; body: any }, status: number, code: string): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status, code });
  expect(typeof a.body.error.message).toBe('string');
}

async function holdAndCheckout(eventId: string, typeId: string, qty: number, who = buyer, provider = 'simulated') {
  const hold = await n.api.hold(who.token, eventId, typeId, qty);
  expect(hold.status).toBe(201);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: who.token, body: { provider } });
  expect(checkout.status).toBe(201);
  return { holdId: hold.body.holdId as string, order: checkout.body };
}

const order = (id: string, token = buyer.token) => n.api.call('GET', `/api/orders/${id}`, { token });
const orderIs = (id: string, status: string) => until(async () => {
  const a = await order(id);
  return a.body.status === status ? a.body : null;
}, `order ${id} to be ${status}`);
const ticketsOf = async (orderId: string) => (await n.t.db.query('SELECT id, status, hold_id FROM tickets WHERE order_id = $1', [orderId])).rows;
const emailsOf = async (orderId: string) => (await n.t.db.query(`SELECT template FROM email_outbox WHERE key LIKE $1`, [`%${orderId}%`])).rows.map((r) => r.template);
const available = async (eventId: string) => (await n.api.call('GET', `/api/events/${eventId}`)).body.ticketTypes[0].available as number;

describe('checkout with the simulated provider', () => {
  it('turns a hold into a pending order with a pay page, then tickets and one confirmation email when paid', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 2_500, capacity: 10 }] });
    const { order: pending } = await holdAndCheckout(event.id, event.typeIds[0]!, 2);
    expect(pending).toMatchObject({ status: 'pending', quantity: 2, unitPrice: 2_500, amount: 5_000, currency: 'EUR', provider: 'simulated' });
    const session = pending.payment.providerRef as string;
    expect(pending.payment.redirectUrl).toBe(`http://shop.test/pay/simulated/${session}`);

    const page = await n.api.call('GET', `/api/payments/simulated/${session}`, { token: buyer.token });
    expect(page.body).toMatchObject({ session, orderId: pending.id, amount: 5_000, currency: 'EUR', status: 'created' });
    const paid = await n.api.call('POST', `/api/payments/simulated/${session}`, { token: buyer.token, body: { outcome: 'pay' } });
    expect(paid.body).toMatchObject({ status: 'succeeded', result: 'applied' });
    // Pressing pay again changes nothing.
    const again = await n.api.call('POST', `/api/payments/simulated/${session}`, { token: buyer.token, body: { outcome: 'pay' } });
    expect(again.body).toMatchObject({ orderId: pending.id, status: 'succeeded', result: 'duplicate' });

    const done = await orderIs(pending.id, 'ticketed');
    expect(done.paidAt).not.toBeNull();
    expect(await ticketsOf(pending.id)).toHaveLength(2);
    await until(async () => (await emailsOf(pending.id)).length > 0, 'the confirmation email');
    expect(await emailsOf(pending.id)).toEqual(['order_confirmation']);
    expect(await available(event.id)).toBe(8);
  });

  it('answers the same order for a repeated checkout of one hold', async () => {
    const event = await n.api.createEvent(organizer.token);
    const { holdId, order: first } = await holdAndCheckout(event.id, event.typeIds[0]!, 1);
    const second = await n.api.call('POST', `/api/holds/${holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.id);
    expect(second.body.payment.providerRef).toBe(first.payment.providerRef);
  });

  it('marks a pending order expired once its hold is gone, and still honours a payment that comes after', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 5 }] });
    const { holdId, order: pending } = await holdAndCheckout(event.id, event.typeIds[0]!, 1);
    expect((await order(pending.id)).body.status).toBe('pending');
    await n.api.call('DELETE', `/api/holds/${holdId}`, { token: buyer.token });
    expect((await order(pending.id)).body).toMatchObject({ status: 'expired', failure: 'hold_expired' });
    await n.api.call('POST', `/api/payments/simulated/${pending.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    await orderIs(pending.id, 'ticketed');
  });

  it('confirms each payment once when many presses arrive together, twice each and from the wrong buyer too (grouped statements)', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 20 }] });
    const orders = await Promise.all([0, 1, 2, 3, 4, 5].map(() => holdAndCheckout(event.id, event.typeIds[0]!, 1).then((c) => c.order)));
    const press = (o: { payment: { providerRef: string } }, token: string) =>
      n.api.call('POST', `/api/payments/simulated/${o.payment.providerRef}`, { token, body: { outcome: 'pay' } });
    const answers = await Promise.all(orders.flatMap((o) => [press(o, buyer.token), press(o, otherBuyer.token), press(o, buyer.token)]));
    for (let i = 0; i < orders.length; i++) {
      const [first, foreign, second] = answers.slice(3 * i, 3 * i + 3);
      expect(foreign!.status).toBe(404);
      expect([first!.body.result, second!.body.result].sort()).toEqual(['applied', 'duplicate']);
      expect(first!.body).toMatchObject({ orderId: orders[i].id, status: 'succeeded' });
      expect(second!.body).toMatchObject({ orderId: orders[i].id, status: 'succeeded' });
    }
    for (const o of orders) expect(await ticketsOf((await orderIs(o.id, 'ticketed')).id)).toHaveLength(1);
    // One payment each, swept (payment_sweep.ts): none is left for a sweep.
    const { rows } = await n.t.db.query(
      `SELECT count(*)::int AS payments, count(*) FILTER (WHERE swept_at IS NOT NULL)::int AS swept FROM payments WHERE order_id = ANY($1::uuid[])`,
      [orders.map((o) => o.id)]);
    expect(rows[0]).toEqual({ payments: orders.length, swept: orders.length });
  });

  it('fails the order and puts the stock back on sale when the buyer declines', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 5 }] });
    const { order: pending } = await holdAndCheckout(event.id, event.typeIds[0]!, 3);
    expect(await available(event.id)).toBe(2);
    const declined = await n.api.call('POST', `/api/payments/simulated/${pending.payment.providerRef}`, { token: buyer.token, body: { outcome: 'decline' } });
    expect(declined.body).toMatchObject({ status: 'failed', result: 'applied' });
    expect((await order(pending.id)).body.status).toBe('failed');
    expect(await available(event.id)).toBe(5);
  });
});

describe('who may see and do what', () => {
  let eventId: string;
  let typeId: string;
  let mine: { holdId: string; order: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    const event = await n.api.createEvent(organizer.token);
    eventId = event.id;
    typeId = event.typeIds[0]!;
    mine = await holdAndCheckout(eventId, typeId, 1);
  });

  it('shows an order to its buyer and to the event\'s organizer, and to nobody else (404)', async () => {
    expect((await order(mine.order.id)).status).toBe(200);
    const asOrganizer = await order(mine.order.id, organizer.token);
    expect(asOrganizer.status).toBe(200);
    // The organizer does not get the buyer's payment secrets.
    expect(asOrganizer.body.payment.redirectUrl).toBeNull();
    expectError(await order(mine.order.id, otherBuyer.token), 404, 'order_not_found');
    expectError(await order(mine.order.id, otherOrganizer.token), 404, 'order_not_found');
    expectError(await order(randomUUID()), 404, 'order_not_found');
    expectError(await order('not-a-uuid'), 404, 'order_not_found');
    expectError(await n.api.call('GET', `/api/orders/${mine.order.id}`), 401, 'unauthenticated');
  });

  it('lists an event\'s orders with their buyers for its organizer only', async () => {
    const list = await n.api.call('GET', `/api/events/${eventId}/orders`, { token: organizer.token });
    expect(list.status).toBe(200);
    expect(list.body.orders.find((o: { id: string }) => o.id === mine.order.id)).toMatchObject({ buyer: { id: buyer.id }, payment: null });
    expectError(await n.api.call('GET', `/api/events/${eventId}/orders`, { token: otherOrganizer.token }), 404, 'event_not_found');
    expectError(await n.api.call('GET', `/api/events/${eventId}/orders`, { token: buyer.token }), 403, 'forbidden');
  });

  it('lists my orders only', async () => {
    const list = await n.api.call('GET', '/api/orders', { token: buyer.token });
    expect(list.body.orders.map((o: { id: string }) => o.id)).toContain(mine.order.id);
    const theirs = await n.api.call('GET', '/api/orders', { token: otherBuyer.token });
    expect(theirs.body.orders.map((o: { id: string }) => o.id)).not.toContain(mine.order.id);
  });

  it('answers 404 for checking out someone else\'s hold or a made-up one', async () => {
    expectError(await n.api.call('POST', `/api/holds/${mine.holdId}/checkout`, { token: otherBuyer.token, body: { provider: 'simulated' } }), 404, 'hold_not_found');
    expectError(await n.api.call('POST', '/api/holds/nonsense/checkout', { token: buyer.token, body: { provider: 'simulated' } }), 404, 'hold_not_found');
    const theirs = await n.api.hold(otherBuyer.token, eventId, typeId, 1);
    expectError(await n.api.call('POST', `/api/holds/${theirs.body.holdId}/checkout`, { token: buyer.token, body: {} }), 404, 'hold_not_found');
  });

  it('refuses bad input with a 4xx that names the field', async () => {
    const hold = await n.api.hold(buyer.token, eventId, typeId, 1);
    const path = `/api/holds/${hold.body.holdId}/checkout`;
    expectError(await n.api.call('POST', path, { token: buyer.token, body: { provider: 'paypal' } }), 400, 'invalid_body');
    expectError(await n.api.call('POST', path, { token: buyer.token, body: { provider: 'simulated', tip: 5 } }), 400, 'unknown_field');
    expectError(await n.api.call('POST', path, { token: buyer.token, body: [] }), 400, 'invalid_body');
    // Clictopay takes TND only; this event sells in EUR.
    expectError(await n.api.call('POST', path, { token: buyer.token, body: { provider: 'clictopay' } }), 422, 'provider_unavailable');
    expectError(await n.api.call('POST', path, { token: organizer.token, body: {} }), 403, 'forbidden');
    const session = mine.order.payment.providerRef;
    expectError(await n.api.call('POST', `/api/payments/simulated/${session}`, { token: buyer.token, body: { outcome: 'maybe' } }), 400, 'invalid_body');
    expectError(await n.api.call('POST', `/api/payments/simulated/${session}`, { token: otherBuyer.token, body: { outcome: 'pay' } }), 404, 'payment_not_found');
    expectError(await n.api.call('GET', '/api/payments/simulated/sim_zz', { token: buyer.token }), 404, 'payment_not_found');
    // Someone else's press recorded nothing: the buyer's own press is still the first.
    expect((await n.api.call('GET', `/api/payments/simulated/${session}`, { token: buyer.token })).body.status).toBe('created');
    const { rows } = await n.t.db.query('SELECT count(*)::int AS n FROM provider_events WHERE event_id LIKE $1', [`${session}:%`]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses to refund an order that was never paid', async () => {
    expectError(await n.api.call('POST', `/api/orders/${mine.order.id}/refund`, { token: organizer.token }), 409, 'not_refundable');
    expectError(await n.api.call('POST', `/api/orders/${mine.order.id}/refund`, { token: otherOrganizer.token }), 404, 'order_not_found');
  });
});

async function paidOrder(eventId: string, typeId: string, qty: number, who = buyer) {
  const { holdId, order: pending } = await holdAndCheckout(eventId, typeId, qty, who);
  await n.api.call('POST', `/api/payments/simulated/${pending.payment.providerRef}`, { token: who.token, body: { outcome: 'pay' } });
  const done = await until(async () => {
    const a = await order(pending.id, who.token);
    return a.body.status === 'ticketed' ? a.body : null;
  }, 'tickets');
  return { holdId, order: done };
}

describe('refunds', () => {
  it('lets the organizer refund: money back, tickets revoked, stock back on sale, one refund notice', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 3_000, capacity: 4 }] });
    const { order: paid } = await paidOrder(event.id, event.typeIds[0]!, 3);
    expect(await available(event.id)).toBe(1);
    const asked = await n.api.call('POST', `/api/orders/${paid.id}/refund`, { token: organizer.token });
    expect(asked.status).toBe(202);
    // Asking twice refunds once.
    await n.api.call('POST', `/api/orders/${paid.id}/refund`, { token: organizer.token });
    await orderIs(paid.id, 'refunded');
    expect((await order(paid.id)).body.payment.status).toBe('refunded');
    expect((await ticketsOf(paid.id)).map((t) => t.status)).toEqual(['revoked', 'revoked', 'revoked']);
    expect(await available(event.id)).toBe(4);
    await until(async () => (await emailsOf(paid.id)).includes('refund_notice'), 'the refund notice');
    expect((await emailsOf(paid.id)).sort()).toEqual(['order_confirmation', 'refund_notice']);
    // The buyer may buy again: their count went down with the refund.
    expect((await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 4)).status).toBe(201);
  });

  it('lets the buyer refund only within the event\'s policy', async () => {
    const none = await n.api.createEvent(organizer.token);
    const { order: a } = await paidOrder(none.id, none.typeIds[0]!, 1);
    expectError(await n.api.call('POST', `/api/orders/${a.id}/refund`, { token: buyer.token }), 403, 'refund_not_allowed');
    expectError(await n.api.call('POST', `/api/orders/${a.id}/refund`, { token: otherBuyer.token }), 404, 'order_not_found');

    // Starts in 7 days; refunds close 10 days before: too late.
    const closed = await n.api.createEvent(organizer.token, { refundPolicy: 'until', refundUntilDays: 10 });
    const { order: b } = await paidOrder(closed.id, closed.typeIds[0]!, 1);
    expectError(await n.api.call('POST', `/api/orders/${b.id}/refund`, { token: buyer.token }), 403, 'refund_not_allowed');

    const open = await n.api.createEvent(organizer.token, { refundPolicy: 'until', refundUntilDays: 2 });
    const { order: c } = await paidOrder(open.id, open.typeIds[0]!, 1);
    expect((await n.api.call('POST', `/api/orders/${c.id}/refund`, { token: buyer.token })).status).toBe(202);
    await orderIs(c.id, 'refunded');
  });

  it('validates the refund policy on create and patch', async () => {
    const bad = await n.api.call('POST', '/api/events', { token: organizer.token, body: { name: 'X', startsAt: new Date(Date.now() + 86_400_000).toISOString(), currency: 'EUR', ticketTypes: [{ name: 'GA', price: 1, capacity: 1 }], refundPolicy: 'until' } });
    expectError(bad, 400, 'invalid_body');
    expect(bad.body.error.field).toBe('refundUntilDays');
    const event = await n.api.createEvent(organizer.token);
    const patched = await n.api.call('PATCH', `/api/events/${event.id}`, { token: organizer.token, body: { refundPolicy: 'until', refundUntilDays: 3, reminderHours: 48 } });
    expect(patched.body).toMatchObject({ refundPolicy: 'until', refundUntilDays: 3, reminderHours: 48, platformFeeBps: 400 });
    const back = await n.api.call('PATCH', `/api/events/${event.id}`, { token: organizer.token, body: { refundPolicy: 'always' } });
    expect(back.body).toMatchObject({ refundPolicy: 'always', refundUntilDays: null });
    expectError(await n.api.call('PATCH', `/api/events/${event.id}`, { token: organizer.token, body: { refundUntilDays: 3 } }), 400, 'invalid_body');
    expectError(await n.api.call('PATCH', `/api/events/${event.id}`, { token: organizer.token, body: { platformFeeBps: 0 } }), 400, 'unknown_field');
  });
});

describe('nothing a client sends to orders and payments is a 5xx', () => {
  it('answers arbitrary bodies, ids and headers with a 4xx or a success', async () => {
    const event = await n.api.createEvent(organizer.token);
    const { holdId, order: pending } = await holdAndCheckout(event.id, event.typeIds[0]!, 1);
    const session = pending.payment.providerRef as string;
    const targets = [
      ['POST', `/api/holds/${holdId}/checkout`], ['POST', '/api/holds/x/checkout'], ['POST', `/api/orders/${pending.id}/refund`],
      ['POST', `/api/payments/simulated/${session}`], ['POST', '/api/webhooks/stripe'], ['GET', '/api/payments/clictopay/return?orderId=%00'],
      ['GET', `/api/events/${event.id}/payout?format=%FF`], ['GET', '/api/orders/%20'],
    ] as const;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...targets), fc.jsonValue(), fc.constantFrom(buyer.token, organizer.token, ''), async ([method, path], body, token) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=abc' };
      if (token) headers.authorization = `Bearer ${token}`;
      const r = await fetch(n.base + path, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body) });
      await r.arrayBuffer();
      expect(r.status).toBeLessThan(500);
    }), { numRuns: 80 });
  });
});
