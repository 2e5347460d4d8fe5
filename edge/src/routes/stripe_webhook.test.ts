import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDeps } from '../../../engine/src/jobs/queues.ts';
import { paymentConfirmedJob } from '../../../engine/src/orders/payment_confirmed_job.ts';
import { refundJob } from '../../../engine/src/orders/refund.ts';
import { startOrdersNode, stripeWebhookSecret, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Stripe end to end against a local double of its API: PaymentIntents with
 * idempotency keys, webhooks verified on the raw body (the SDK's own test
 * header helper signs them), redeliveries and retries that change nothing.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };
const signer = new Stripe('sk_test_signer');

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  await n?.stop();
});

type Intent = { orderId: string; paymentId: string; intentId: string; holdId: string; eventId: string };

async function stripeCheckout(qty = 2): Promise<Intent> {
  const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 4_200, capacity: 10 }] });
  const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, qty);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'stripe' } });
  expect(checkout.status).toBe(201);
  expect(checkout.body.payment.clientSecret).toMatch(/^pi_.*_secret_/);
  return { orderId: checkout.body.id, paymentId: checkout.body.payment.id, intentId: checkout.body.payment.providerRef, holdId: hold.body.holdId, eventId: event.id };
}

function eventPayload(type: string, intentId: string, id = `evt_${randomUUID().replaceAll('-', '')}`): string {
  return JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object: { id: intentId, object: 'payment_intent', amount: 8_400 } } });
}

function deliver(payload: string, opts: { timestamp?: number; secret?: string; signature?: string } = {}) {
  const signature = opts.signature ?? signer.webhooks.generateTestHeaderString({
    payload, secret: opts.secret ?? stripeWebhookSecret, ...(opts.timestamp === undefined ? {} : { timestamp: opts.timestamp }),
  });
  return fetch(`${n.base}/api/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload })
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON, asserted field by field
    .then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
}

const statusOf = async (orderId: string) => (await n.t.db.query('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0].status as string;
const ticketCount = async (orderId: string) => (await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE order_id = $1', [orderId])).rows[0].c as number;
const ticketsOfEvent = async (eventId: string) => (await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE event_id = $1', [eventId])).rows[0].c as number;
const confirmations = async (orderId: string) =>
  (await n.t.db.query(`SELECT count(*)::int AS c FROM email_outbox WHERE template = 'order_confirmation' AND key LIKE $1`, [`%${orderId}%`])).rows[0].c as number;
const ticketed = (orderId: string) => until(async () => (await statusOf(orderId)) === 'ticketed', `order ${orderId} ticketed`);

describe('Stripe webhook signatures', () => {
  it('accepts a valid signature and turns the payment into tickets', async () => {
    const intent = await stripeCheckout();
    const answer = await deliver(eventPayload('payment_intent.succeeded', intent.intentId));
    expect(answer).toEqual({ status: 200, body: { received: true, result: 'applied' } });
    await ticketed(intent.orderId);
    expect(await ticketCount(intent.orderId)).toBe(2);
  });

  it('refuses a tampered body, a wrong secret and a missing header with 400', async () => {
    const intent = await stripeCheckout();
    const payload = eventPayload('payment_intent.succeeded', intent.intentId);
    const signature = signer.webhooks.generateTestHeaderString({ payload, secret: stripeWebhookSecret });
    const tampered = await deliver(payload.replace('"amount":8400', '"amount":1'), { signature });
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.code).toBe('invalid_signature');
    expect((await deliver(payload, { secret: 'whsec_someone_else' })).status).toBe(400);
    const bare = await fetch(`${n.base}/api/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    expect(bare.status).toBe(400);
    expect(await statusOf(intent.orderId)).toBe('pending');
  });

  it('refuses a signature older than 300 seconds (replay)', async () => {
    const intent = await stripeCheckout();
    const stale = await deliver(eventPayload('payment_intent.succeeded', intent.intentId), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('invalid_signature');
    expect(await statusOf(intent.orderId)).toBe('pending');
  });

  it('refuses a signature dated more than 300 seconds ahead (a replay window that never closes)', async () => {
    const intent = await stripeCheckout();
    const future = await deliver(eventPayload('payment_intent.succeeded', intent.intentId), { timestamp: Math.floor(Date.now() / 1000) + 3_600 });
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe('invalid_signature');
    expect(future.body.error.message).toMatch(/future/);
    expect(await statusOf(intent.orderId)).toBe('pending');
    // A sender's clock a little ahead of ours is still fine.
    const ahead = await deliver(eventPayload('payment_intent.succeeded', intent.intentId), { timestamp: Math.floor(Date.now() / 1000) + 60 });
    expect(ahead.status).toBe(200);
  });

  it('acknowledges event types it does not act on', async () => {
    const answer = await deliver(eventPayload('customer.created', 'cus_123'));
    expect(answer).toEqual({ status: 200, body: { received: true, result: 'ignored' } });
  });
});

describe('Stripe checkout', () => {
  it('refuses, before any order exists, amounts Stripe cannot charge (free, or TND not in tens of millimes)', async () => {
    for (const price of [0, 12_345]) {
      const event = await n.api.createEvent(organizer.token, { currency: 'TND', ticketTypes: [{ name: 'GA', price, capacity: 5 }] });
      const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 1);
      const refused = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'stripe' } });
      expect([refused.status, refused.body.error.code]).toEqual([422, 'provider_unavailable']);
      // The buyer can still pay for the same hold another way.
      expect((await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } })).status).toBe(201);
    }
  });
});

describe('Stripe: exactly once', () => {
  it('gives one set of tickets, one email and one charge for redeliveries, out-of-order events and retried jobs', async () => {
    const intent = await stripeCheckout(3);
    // A repeated checkout reuses the PaymentIntent (idempotency key): one possible charge.
    await n.api.call('POST', `/api/holds/${intent.holdId}/checkout`, { token: buyer.token, body: { provider: 'stripe' } });
    expect(n.stripe.intents.filter((i) => i.metadata.orderId === intent.orderId)).toHaveLength(1);

    // A card declined first (not final on Stripe: the buyer tries another card), then the success, twice, then another success event.
    const failed = eventPayload('payment_intent.payment_failed', intent.intentId);
    expect((await deliver(failed)).body.result).toBe('no_change');
    const succeeded = eventPayload('payment_intent.succeeded', intent.intentId);
    const [first, second] = await Promise.all([deliver(succeeded), deliver(succeeded)]);
    expect([first.body.result, second.body.result].sort()).toEqual(['applied', 'duplicate']);
    expect((await deliver(eventPayload('payment_intent.succeeded', intent.intentId))).body.result).toBe('no_change');
    // A failure that arrives after the success changes nothing.
    expect((await deliver(eventPayload('payment_intent.payment_failed', intent.intentId))).body.result).toBe('no_change');

    await ticketed(intent.orderId);
    await until(async () => (await confirmations(intent.orderId)) > 0, 'the confirmation email');
    // The job run again, three times (as after crashes): nothing more.
    for (let i = 0; i < 3; i++) await paymentConfirmedJob(n.deps, { orderId: intent.orderId, paymentId: intent.paymentId });
    await Promise.all([0, 1, 2].map(() => n.jobs.send('payment-confirmed', { orderId: intent.orderId, paymentId: intent.paymentId }, { key: intent.paymentId })));

    expect(await ticketCount(intent.orderId)).toBe(3);
    expect(await ticketsOfEvent(intent.eventId)).toBe(3);
    expect(await confirmations(intent.orderId)).toBe(1);
    expect(n.stripe.intents.filter((i) => i.metadata.orderId === intent.orderId)).toHaveLength(1);
  });

  it('finishes a payment-confirmed job that failed twice after the hold was confirmed, with one set of tickets', async () => {
    const intent = await stripeCheckout(2);
    // Record the payment without letting the worker run the job: it is run by hand below.
    await n.t.db.query(`UPDATE payments SET status = 'succeeded', captured_at = now() WHERE id = $1`, [intent.paymentId]);
    let failures = 0;
    const flaky: JobDeps = {
      ...n.deps,
      jobs: {
        send: async (queue, data, options) => {
          // The database goes away just before commit, twice: the hold is confirmed, the order is not moved.
          if (queue === 'tickets-issue' && failures < 2) {
            failures++;
            throw new Error('connection lost');
          }
          return n.jobs.send(queue, data, options);
        },
        sendMany: (queue, many, tx) => n.jobs.sendMany(queue, many, tx),
      },
    };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const run = paymentConfirmedJob(flaky, { orderId: intent.orderId, paymentId: intent.paymentId });
      if (attempt < 3) await expect(run).rejects.toThrow('connection lost');
      else await run;
    }
    await ticketed(intent.orderId);
    expect(await ticketCount(intent.orderId)).toBe(2);
    expect(await ticketsOfEvent(intent.eventId)).toBe(2);
  });

  it('refunds once through Stripe however often the refund job runs', async () => {
    const intent = await stripeCheckout(1);
    await deliver(eventPayload('payment_intent.succeeded', intent.intentId));
    await ticketed(intent.orderId);
    const asked = await n.api.call('POST', `/api/orders/${intent.orderId}/refund`, { token: organizer.token });
    expect(asked.status).toBe(202);
    await until(async () => (await statusOf(intent.orderId)) === 'refunded', 'the refund');
    for (let i = 0; i < 3; i++) await refundJob(n.deps, { orderId: intent.orderId, reason: 'organizer' });
    expect(n.stripe.refunds.filter((r) => r.paymentIntent === intent.intentId)).toHaveLength(1);
    const refunds = (await n.t.db.query(`SELECT count(*)::int AS c FROM email_outbox WHERE template = 'refund_notice' AND key LIKE $1`, [`%${intent.orderId}%`])).rows[0].c;
    expect(refunds).toBe(1);
  });
});
