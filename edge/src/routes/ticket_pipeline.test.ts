import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventVerifyKey } from '../../../engine/src/tickets/event_keys.ts';
import { verifyTicketSecret } from '../../../engine/src/tickets/secret.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * The sell-out pipeline with its batch handlers (engine/src/jobs/handlers.ts):
 * many orders paid at once become ticketed orders with signed tickets and
 * one confirmation email each, through payment-confirmed batches that issue
 * in the same transaction (no tickets-issue job) and email-send batches.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };

beforeAll(async () => {
  // Forty buyers from one test address.
  n = await startOrdersNode({ env: { TICKR_SIGNUPS_PER_ADDRESS: '100' } });
  organizer = await n.api.signup('organizer', 'org');
});

afterAll(async () => {
  const problems = n?.logged.filter((l) => l.includes('failed')) ?? [];
  await n?.stop();
  // No batch fell back to per-job runs and no job had to be retried.
  expect(problems).toEqual([]);
});

async function paidOrders(eventId: string, typeId: string, count: number, qty: number): Promise<string[]> {
  const buyers = await Promise.all(Array.from({ length: count }, (_, i) => n.api.signup('participant', `pipe${i}`)));
  const checkouts = await Promise.all(buyers.map(async (buyer) => {
    const hold = await n.api.hold(buyer.token, eventId, typeId, qty);
    expect(hold.status).toBe(201);
    const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
    expect(checkout.status).toBe(201);
    return { buyer, orderId: checkout.body.id as string, session: checkout.body.payment.providerRef as string };
  }));
  // All at once, so the jobs arrive in batches.
  await Promise.all(checkouts.map(async (c) => {
    const paid = await n.api.call('POST', `/api/payments/simulated/${c.session}`, { token: c.buyer.token, body: { outcome: 'pay' } });
    expect(paid.body.status).toBe('succeeded');
  }));
  return checkouts.map((c) => c.orderId);
}

describe('a sell-out paid at once', () => {
  it('ends with every order ticketed, every ticket signed and one confirmation each, in batches', async () => {
    const event = await n.api.createEvent(organizer.token, { currency: 'EUR', ticketTypes: [{ name: 'GA', price: 2_500, capacity: 60 }] });
    const orderIds = await paidOrders(event.id, event.typeIds[0]!, 30, 2);
    await until(async () => {
      const { rows } = await n.t.db.query(`SELECT count(*)::int AS n FROM email_outbox WHERE key = ANY($1::text[]) AND status = 'outbox'`, [orderIds.map((id) => `order_confirmation:${id}`)]);
      return rows[0].n === orderIds.length;
    }, 'every confirmation in the outbox', 100_000);

    const orders = (await n.t.db.query('SELECT id, status FROM orders WHERE id = ANY($1::uuid[])', [orderIds])).rows;
    expect(orders.every((o) => o.status === 'ticketed')).toBe(true);
    const tickets = (await n.t.db.query('SELECT id, order_id, secret, event_id, type_id FROM tickets WHERE order_id = ANY($1::uuid[])', [orderIds])).rows;
    expect(tickets).toHaveLength(60);
    const key = (await eventVerifyKey(n.t.db, event.id))!;
    for (const t of tickets) {
      expect(verifyTicketSecret(t.secret, key, event.id)).toEqual({ ok: true, payload: { ticketId: t.id, eventId: event.id, typeId: t.type_id, version: 0 } });
    }
    const emails = (await n.t.db.query(`SELECT key, data FROM email_outbox WHERE template = 'order_confirmation' AND data->>'orderId' = ANY($1::text[])`, [orderIds])).rows;
    expect(emails).toHaveLength(30);
    for (const e of emails) expect(e.data.tickets).toHaveLength(2);
    // Issued in payment-confirmed's transaction: no order needed a tickets-issue job.
    const issueJobs = (await n.t.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'tickets-issue'`)).rows[0].n;
    expect(issueJobs).toBe(0);
  }, 120_000);

  it('issues nothing twice when the same jobs run again, by batch or alone', async () => {
    const event = await n.api.createEvent(organizer.token, { currency: 'EUR', ticketTypes: [{ name: 'GA', price: 2_500, capacity: 8 }] });
    const orderIds = await paidOrders(event.id, event.typeIds[0]!, 4, 2);
    await until(async () => (await n.t.db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'ticketed'`, [orderIds])).rows[0].n === 4, 'ticketed', 100_000);
    const before = (await n.t.db.query('SELECT id, secret FROM tickets WHERE order_id = ANY($1::uuid[]) ORDER BY id', [orderIds])).rows;
    const payments = (await n.t.db.query('SELECT id, order_id FROM payments WHERE order_id = ANY($1::uuid[])', [orderIds])).rows;
    const { paymentConfirmedBatch } = await import('../../../engine/src/orders/payment_confirmed_batch.ts');
    const { issueTicketsBatch } = await import('../../../engine/src/tickets/issue_batch.ts');
    const { paymentConfirmedJob } = await import('../../../engine/src/orders/payment_confirmed_job.ts');
    const again = payments.map((p, i) => ({ id: `again-${i}`, data: { orderId: p.order_id as string, paymentId: p.id as string } }));
    // Orders already ticketed are not the batch's common path: left to the per-job handler, which finds them done.
    expect((await paymentConfirmedBatch(n.deps, again)).size).toBe(0);
    for (const job of again) await paymentConfirmedJob(n.deps, job.data);
    const issued = await issueTicketsBatch(n.deps, orderIds.map((orderId, i) => ({ id: `issue-${i}`, data: { orderId } })));
    expect(issued.size).toBe(4);
    expect((await n.t.db.query('SELECT id, secret FROM tickets WHERE order_id = ANY($1::uuid[]) ORDER BY id', [orderIds])).rows).toEqual(before);
    const emails = (await n.t.db.query(`SELECT count(*)::int AS n FROM email_outbox WHERE key = ANY($1::text[])`, [orderIds.map((id) => `order_confirmation:${id}`)])).rows[0].n;
    expect(emails).toBe(4);
  }, 120_000);
});
