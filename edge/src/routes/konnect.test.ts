import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import { upsertOperator } from '../../../engine/src/db/accounts.ts';
import { paymentPollJob } from '../../../engine/src/orders/payment_poll_job.ts';
import { providersFor } from '../../../engine/src/payments/providers.ts';
import { apiClient } from '../../../engine/src/testing/api.ts';
import { hashPassword } from '../auth/passwords.ts';
import { createServer } from '../server.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Konnect (e-DINAR, Tunisian cards, wallet) against a local double of its v2
 * API: init, webhook and return never trusted (always asked of the API),
 * polling, decline, the manual refund flow, and production without keys.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };
let operatorToken: string;

beforeAll(async () => {
  n = await startOrdersNode();
  await upsertOperator(n.t.db, 'ops@tickr.test', await hashPassword('operator-password-1'), 'Operator');
  operatorToken = (await n.api.call('POST', '/api/auth/signin', { body: { email: 'ops@tickr.test', password: 'operator-password-1' } })).body.token;
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  await n?.stop();
});

const status = async (id: string) => (await n.t.db.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status as string;
const count = async (sql: string, values: unknown[]) => (await n.t.db.query(sql, values)).rows[0].c as number;

async function konnectHold(qty: number, currency = 'TND') {
  const event = await n.api.createEvent(organizer.token, { currency, ticketTypes: [{ name: 'GA', price: 25_500, capacity: 10 }] });
  const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, qty);
  return hold.body.holdId as string;
}

const checkoutOf = (holdId: string) => n.api.call('POST', `/api/holds/${holdId}/checkout`, { token: buyer.token, body: { provider: 'konnect', locale: 'fr' } });

async function konnectCheckout(qty: number) {
  const checkout = await checkoutOf(await konnectHold(qty));
  expect(checkout.status).toBe(201);
  return { orderId: checkout.body.id as string, paymentId: checkout.body.payment.id as string, ref: checkout.body.payment.providerRef as string, redirectUrl: checkout.body.payment.redirectUrl as string };
}

const webhook = (ref: string) => fetch(`${n.base}/api/payments/konnect/webhook?payment_ref=${ref}`);
const returnTo = (paymentId: string) => fetch(`${n.base}/api/payments/konnect/return?payment=${paymentId}&payment_ref=whatever`, { redirect: 'manual' });

describe('konnect checkout', () => {
  it('opens a Konnect payment in millimes (TND) and sends the buyer to its page; a repeated checkout reuses the paymentRef', async () => {
    const holdId = await konnectHold(2);
    const first = await checkoutOf(holdId);
    expect(first.status).toBe(201);
    const ref = first.body.payment.providerRef as string;
    expect(first.body.payment.redirectUrl).toBe(`${n.konnect.url}/pay/${ref}`);
    expect(n.konnect.payments.get(ref)).toMatchObject({
      amount: 51_000, token: 'TND', orderId: first.body.payment.id, acceptedPaymentMethods: ['e-DINAR', 'bank_card', 'wallet'],
      webhook: 'http://api.test/api/payments/konnect/webhook', successUrl: `http://api.test/api/payments/konnect/return?payment=${first.body.payment.id}`,
    });
    const again = await checkoutOf(holdId);
    expect(again.body.payment.providerRef).toBe(ref);
    expect(n.konnect.calls.filter((c) => c.path.endsWith('/init-payment') && c.body?.orderId === first.body.payment.id)).toHaveLength(1);
    expect(await status(first.body.id)).toBe('pending');
  });

  it('refuses Konnect for an event that does not sell in TND', async () => {
    const checkout = await checkoutOf(await konnectHold(1, 'EUR'));
    expect(checkout.status).toBe(422);
    expect(checkout.body.error).toMatchObject({ code: 'provider_unavailable', message: expect.stringMatching(/TND/) });
  });
});

describe('konnect webhook and return (never trusted)', () => {
  it('does nothing on a forged webhook for an unpaid payment, then confirms once Konnect says completed; a repeated webhook changes nothing', async () => {
    const { ref, orderId } = await konnectCheckout(2);
    const forged = await webhook(ref);
    expect(forged.status).toBe(200);
    expect(await forged.json()).toMatchObject({ state: 'pending' });
    expect(await status(orderId)).toBe('pending');
    expect(await count('SELECT count(*)::int AS c FROM provider_events WHERE provider = $1 AND event_id LIKE $2', ['konnect', `${ref}%`])).toBe(0);

    await n.konnect.complete(ref, { notify: false });
    expect((await webhook(ref)).status).toBe(200);
    await until(async () => (await status(orderId)) === 'ticketed', 'tickets');
    const repeated = await webhook(ref);
    expect(repeated.status).toBe(200);
    expect(await repeated.json()).toMatchObject({ state: 'paid' });
    expect(await count('SELECT count(*)::int AS c FROM tickets WHERE order_id = $1', [orderId])).toBe(2);
    expect(await count('SELECT count(*)::int AS c FROM provider_events WHERE provider = $1 AND event_id = $2', ['konnect', `${ref}:paid`])).toBe(1);
    expect((await n.t.db.query('SELECT status FROM payments WHERE provider_ref = $1', [ref])).rows[0].status).toBe('succeeded');
  });

  it('confirms on the buyer\'s return by asking Konnect, and sends the buyer to the order page either way', async () => {
    const { ref, orderId, paymentId } = await konnectCheckout(1);
    const early = await returnTo(paymentId);
    expect(early.status).toBe(303);
    expect(early.headers.get('location')).toBe(`http://shop.test/orders/${orderId}`);
    expect(await status(orderId)).toBe('pending');
    await n.konnect.complete(ref, { notify: false });
    expect((await returnTo(paymentId)).status).toBe(303);
    await until(async () => (await status(orderId)) === 'ticketed', 'tickets');
  });

  it('refuses a webhook or return that names no Konnect payment', async () => {
    expect((await fetch(`${n.base}/api/payments/konnect/webhook`)).status).toBe(400);
    expect((await webhook('bad%20ref')).status).toBe(400);
    expect((await webhook('ffffffffffffffffffffffff')).status).toBe(404);
    expect((await returnTo('not-a-uuid')).status).toBe(400);
    expect((await returnTo('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('konnect polling', () => {
  it('confirms a buyer who paid and never came back', async () => {
    const { ref, orderId, paymentId } = await konnectCheckout(1);
    await n.konnect.complete(ref, { notify: false });
    await paymentPollJob(n.deps, { paymentId, attempt: 1 });
    await until(async () => (await status(orderId)) === 'ticketed', 'tickets');
  });

  it('keeps a refused card pending (the buyer may retry on Konnect\'s page) and fails the order once the payment expired', async () => {
    const { ref, orderId, paymentId } = await konnectCheckout(1);
    n.konnect.fail(ref);
    await paymentPollJob(n.deps, { paymentId, attempt: 1 });
    expect(await status(orderId)).toBe('pending');
    n.konnect.expire(ref);
    await paymentPollJob(n.deps, { paymentId, attempt: 2 });
    expect(await status(orderId)).toBe('failed');
    // A webhook afterwards changes nothing.
    expect((await webhook(ref)).status).toBe(200);
    expect(await status(orderId)).toBe('failed');
  });
});

describe('konnect refunds (by hand)', () => {
  const manual = (orderId: string, body: unknown, token = operatorToken) => n.api.call('POST', `/api/ops/refunds/manual/${orderId}`, { token, body });

  it('raises a manual refund and an operator alert; the operator records it done (who, reference), then the order is refunded', async () => {
    const { ref, orderId } = await konnectCheckout(1);
    await n.konnect.complete(ref, { notify: false });
    await webhook(ref);
    await until(async () => (await status(orderId)) === 'ticketed', 'tickets');

    expect((await n.api.call('POST', `/api/orders/${orderId}/refund`, { token: organizer.token })).status).toBe(202);
    const row = await until(async () => (await n.t.db.query('SELECT state, amount, currency FROM manual_refunds WHERE order_id = $1', [orderId])).rows[0], 'the manual refund');
    expect(row).toMatchObject({ state: 'manual_required', amount: 25_500, currency: 'TND' });
    // No money moved yet: the order and its tickets stand.
    expect(await status(orderId)).toBe('ticketed');
    expect(await count(`SELECT count(*)::int AS c FROM tickets WHERE order_id = $1 AND status = 'valid'`, [orderId])).toBe(1);
    const seen = await n.api.call('GET', `/api/orders/${orderId}`, { token: buyer.token });
    expect(seen.body).toMatchObject({ status: 'ticketed', manualRefund: { state: 'manual_required', doneAt: null } });
    const ops = await n.api.call('GET', '/api/ops/status', { token: operatorToken });
    expect(ops.body.alerts.recent).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'manual_refund_required', orderId, action: 'none' })]));
    const list = await n.api.call('GET', '/api/ops/refunds/manual', { token: operatorToken });
    expect(list.body.refunds).toEqual(expect.arrayContaining([expect.objectContaining({ orderId, state: 'manual_required', provider: 'konnect', providerRef: ref })]));

    // Only an operator records it; a reference is required.
    expect((await manual(orderId, { reference: 'KNT-1' }, organizer.token)).status).toBe(403);
    expect((await manual(orderId, {})).status).toBe(400);
    const done = await manual(orderId, { reference: 'KNT-TRANSFER-1', note: 'wallet transfer' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'done', reference: 'KNT-TRANSFER-1', applied: true });
    await until(async () => (await status(orderId)) === 'refunded', 'the refund');
    expect((await n.t.db.query('SELECT status, refund_ref FROM payments WHERE order_id = $1', [orderId])).rows[0]).toEqual({ status: 'refunded', refund_ref: 'manual:KNT-TRANSFER-1' });
    expect(await count(`SELECT count(*)::int AS c FROM tickets WHERE order_id = $1 AND status = 'valid'`, [orderId])).toBe(0);
    expect(await count('SELECT count(*)::int AS c FROM operator_alerts WHERE order_id = $1 AND resolved_at IS NULL', [orderId])).toBe(0);
    expect((await n.api.call('GET', `/api/orders/${orderId}`, { token: buyer.token })).body.manualRefund).toMatchObject({ state: 'done' });

    // Recording it again with the same reference is a no-op; another reference is refused.
    expect((await manual(orderId, { reference: 'KNT-TRANSFER-1' })).body).toMatchObject({ applied: false });
    expect((await manual(orderId, { reference: 'KNT-OTHER' })).status).toBe(409);
  });

  it('answers 404 for an order with no manual refund waiting', async () => {
    expect((await manual('00000000-0000-4000-8000-000000000000', { reference: 'x' })).status).toBe(404);
    expect((await manual('nope', { reference: 'x' })).status).toBe(404);
  });
});

describe('konnect settings', () => {
  it('is not offered in production without its keys, and is with them', async () => {
    const production = { ...n.env, NODE_ENV: 'production', TICKR_TICKET_KEY_SECRET: 'k'.repeat(48) };
    const without = readConfig({ ...production, KONNECT_API_KEY: '', KONNECT_WALLET_ID: '' });
    expect(providersFor(without).configured).not.toContain('konnect');
    expect(providersFor(readConfig(production)).configured).toContain('konnect');
    expect(() => readConfig({ ...production, KONNECT_WALLET_ID: '' })).toThrow(/KONNECT_API_KEY and KONNECT_WALLET_ID go together/);

    const server = createServer({ config: without, db: n.t.db, engine: n.engine, log: () => {}, jobs: n.jobs });
    const base = `http://127.0.0.1:${await server.listen()}`;
    try {
      const holdId = await konnectHold(1);
      const refused = await apiClient(() => base).call('POST', `/api/holds/${holdId}/checkout`, { token: buyer.token, body: { provider: 'konnect' } });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('provider_unavailable');
      expect((await fetch(`${base}/api/payments/konnect/webhook?payment_ref=ffffffffffffffffffffffff`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
