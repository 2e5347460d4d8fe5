import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertOperator } from '../../../engine/src/db/accounts.ts';
import { ensureEventPublicKey } from '../../../engine/src/tickets/event_keys.ts';
import { deriveServerKey } from '../../../engine/src/tickets/keys.ts';
import { hashPassword } from '../auth/passwords.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * A paid order never sits without tickets. When `tickets-issue` cannot sign
 * (here: the event's key was sealed under another TICKR_TICKET_KEY_SECRET,
 * as after a restart with a new random secret) and gives up after its retries,
 * the order is refunded through the refund job and an operator alert says so
 * in /api/ops/status and the log. Retries are cut to none so it gives up at once.
 */

let n: OrdersNode;
let operatorToken: string;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode({ retry: { limit: 0, delaySeconds: 0, backoff: false } });
  await upsertOperator(n.t.db, 'ops@tickr.test', await hashPassword('operator-password-1'), 'Operator');
  operatorToken = (await n.api.call('POST', '/api/auth/signin', { body: { email: 'ops@tickr.test', password: 'operator-password-1' } })).body.token;
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  await n?.stop();
});

const orderRow = async (id: string) => (await n.t.db.query('SELECT status, failure FROM orders WHERE id = $1', [id])).rows[0];

describe('a tickets-issue job that cannot issue', () => {
  it('ends in a refund and an operator alert, never a paid order left without tickets', async () => {
    const event = await n.api.createEvent(organizer.token, { currency: 'EUR', ticketTypes: [{ name: 'GA', price: 9_900, capacity: 10 }] });
    // The event's key, sealed under a secret this node does not have.
    await ensureEventPublicKey(n.t.db, event.id, deriveServerKey('a-secret-from-before-the-restart-0123456789'));
    const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
    const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
    expect(checkout.status).toBe(201);
    const orderId = checkout.body.id as string;
    const paid = await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    expect(paid.body.status).toBe('succeeded');

    await until(async () => (await orderRow(orderId)).status === 'refunded', 'the order refunded');
    expect(await orderRow(orderId)).toEqual({ status: 'refunded', failure: 'tickets_not_issued' });
    const payment = (await n.api.call('GET', `/api/orders/${orderId}`, { token: buyer.token })).body.payment;
    expect(payment.status).toBe('refunded');
    // The seats went back on sale and the buyer was told.
    await until(async () => (await n.api.call('GET', `/api/events/${event.id}`)).body.ticketTypes[0].available === 10, 'the stock back');
    const mail = (await n.t.db.query(`SELECT template, data FROM email_outbox WHERE template = 'refund_notice' AND data->>'orderId' = $1`, [orderId])).rows;
    expect(mail).toEqual([expect.objectContaining({ data: expect.objectContaining({ reason: 'tickets_not_issued' }) })]);

    const status = await n.api.call('GET', '/api/ops/status', { token: operatorToken });
    expect(status.body.alerts.open).toBe(1);
    expect(status.body.alerts.recent[0]).toMatchObject({ kind: 'job_dead_lettered', queue: 'tickets-issue', orderId, action: 'refund_queued' });
    expect(status.body.alerts.recent[0].message).toMatch(/sealed under another TICKR_TICKET_KEY_SECRET/);
    expect(n.logged.some((line) => line.startsWith('error ALERT') && line.includes(orderId))).toBe(true);
  });

  it('turns a dead letter of any other queue into an alert saying what to do, one per cause however often it recurs', async () => {
    const before = (await n.api.call('GET', '/api/ops/status', { token: operatorToken })).body.alerts.open as number;
    // A dead letter of another queue: alert only, naming what to do.
    await n.jobs.boss.send('email-send-dead', { emailId: '00000000-0000-4000-8000-00000000e001' });
    await n.jobs.boss.send('email-send-dead', { emailId: '00000000-0000-4000-8000-00000000e001' });
    const alert = await until(async () => {
      const { rows } = await n.t.db.query(`SELECT queue, action, occurrences, message FROM operator_alerts WHERE queue = 'email-send'`);
      return rows[0]?.occurrences === 2 ? rows[0] : null;
    }, 'the email alert counted twice');
    expect(alert).toMatchObject({ queue: 'email-send', action: 'none' });
    expect(alert.message).toMatch(/resend it/);
    expect((await n.api.call('GET', '/api/ops/status', { token: operatorToken })).body.alerts.open).toBe(before + 1);
  });
});
