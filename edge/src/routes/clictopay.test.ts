import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentPollJob } from '../../../engine/src/orders/payment_poll_job.ts';
import { clictopayProvider } from '../../../engine/src/payments/clictopay.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/** Clictopay (SMT) against a local double of its REST API: register, return, poll, refund; millimes, currency 788. */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  await n?.stop();
});

const status = async (id: string) => (await n.t.db.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status as string;

async function clictopayCheckout(qty: number) {
  const event = await n.api.createEvent(organizer.token, { currency: 'TND', ticketTypes: [{ name: 'GA', price: 25_500, capacity: 10 }] });
  const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, qty);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'clictopay', locale: 'fr' } });
  expect(checkout.status).toBe(201);
  return { orderId: checkout.body.id as string, paymentId: checkout.body.payment.id as string, ref: checkout.body.payment.providerRef as string, redirectUrl: checkout.body.payment.redirectUrl as string };
}

const returnTo = (ref: string) => fetch(`${n.base}/api/payments/clictopay/return?orderId=${ref}&lang=fr`, { redirect: 'manual' });

describe('clictopay', () => {
  it('registers the order in millimes and TND (788) and sends the buyer to the gateway\'s page', async () => {
    const { ref, redirectUrl, orderId } = await clictopayCheckout(2);
    expect(redirectUrl).toContain(`mdOrder=${ref}`);
    const registered = n.clictopay.calls.find((c) => c.method === 'register.do' && n.clictopay.orders.get(ref)?.orderNumber === c.params.orderNumber)!;
    expect(registered.params).toMatchObject({ amount: '51000', currency: '788', language: 'fr', returnUrl: 'http://api.test/api/payments/clictopay/return' });
    expect(await status(orderId)).toBe('pending');
  });

  it('confirms on the buyer\'s return by asking the gateway, then issues tickets', async () => {
    const { ref, orderId } = await clictopayCheckout(2);
    // Coming back before paying changes nothing; the buyer still lands on the order page.
    const early = await returnTo(ref);
    expect(early.status).toBe(303);
    expect(early.headers.get('location')).toBe(`http://shop.test/orders/${orderId}`);
    expect(await status(orderId)).toBe('pending');
    n.clictopay.pay(ref);
    expect((await returnTo(ref)).status).toBe(303);
    await returnTo(ref);
    await until(async () => (await status(orderId)) === 'ticketed', 'tickets');
    expect((await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE order_id = $1', [orderId])).rows[0].c).toBe(2);
  });

  it('confirms by the polling job when the buyer never comes back, and fails a declined payment', async () => {
    const paid = await clictopayCheckout(1);
    n.clictopay.pay(paid.ref);
    await paymentPollJob(n.deps, { paymentId: paid.paymentId, attempt: 1 });
    await until(async () => (await status(paid.orderId)) === 'ticketed', 'tickets');

    const declined = await clictopayCheckout(1);
    n.clictopay.decline(declined.ref);
    await paymentPollJob(n.deps, { paymentId: declined.paymentId, attempt: 1 });
    expect(await status(declined.orderId)).toBe('failed');
  });

  it('refunds through refund.do once', async () => {
    const { ref, orderId } = await clictopayCheckout(1);
    n.clictopay.pay(ref);
    await returnTo(ref);
    await until(async () => (await status(orderId)) === 'ticketed', 'tickets');
    expect((await n.api.call('POST', `/api/orders/${orderId}/refund`, { token: organizer.token })).status).toBe(202);
    await until(async () => (await status(orderId)) === 'refunded', 'the refund');
    expect(n.clictopay.orders.get(ref)).toMatchObject({ status: 4, refunded: 25_500 });
    expect(n.clictopay.calls.filter((c) => c.method === 'refund.do' && c.params.orderId === ref)).toHaveLength(1);
  });

  it('refuses a return without a gateway order id, and an unknown one', async () => {
    expect((await returnTo('')).status).toBe(400);
    expect((await returnTo('bad%20id')).status).toBe(400);
    expect((await returnTo('00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('reports gateway errors as provider errors (wrong credentials, wrong currency)', async () => {
    const wrong = clictopayProvider({ username: 'merchant', password: 'nope', url: n.clictopay.url }, 'http://api.test/return');
    await expect(wrong.createPayment({ orderId: 'o', paymentId: 'p', amount: 1_000, currency: 'TND', description: 'x', locale: 'en' })).rejects.toThrow(/Access denied/);
    await expect(wrong.createPayment({ orderId: 'o', paymentId: 'p', amount: 1_000, currency: 'EUR', description: 'x', locale: 'en' })).rejects.toThrow(/TND/);
  });
});
