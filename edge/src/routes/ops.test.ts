import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertOperator } from '../../../engine/src/db/accounts.ts';
import { hashPassword } from '../auth/passwords.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/** The operator's status and the organizer's sales-over-time, through the API. */

let n: OrdersNode;
let operatorToken: string;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  await upsertOperator(n.t.db, 'ops@tickr.test', await hashPassword('operator-password-1'), 'Operator');
  operatorToken = (await n.api.call('POST', '/api/auth/signin', { body: { email: 'ops@tickr.test', password: 'operator-password-1' } })).body.token;
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  await n?.stop();
});

describe('GET /api/ops/status', () => {
  it('shows this node, its workers, every shard\'s owner and the job backlog to an operator', async () => {
    const answer = await n.api.call('GET', '/api/ops/status', { token: operatorToken });
    expect(answer.status).toBe(200);
    expect(answer.body.self).toMatchObject({ nodeId: 'orders-test', shardsTotal: 4, ready: true, queueWaiters: 0 });
    expect(answer.body.self.workers).toEqual([expect.objectContaining({ index: 0, alive: true, mailboxDepth: expect.any(Number) })]);
    expect(answer.body.shards).toHaveLength(4);
    expect(answer.body.nodes).toEqual([expect.objectContaining({ nodeId: 'orders-test', shards: 4 })]);
    expect(Array.isArray(answer.body.jobs)).toBe(true);
    expect(answer.body.links).toEqual({ metrics: '/metrics', health: '/health' });
  });

  it('is refused to everyone else', async () => {
    expect((await n.api.call('GET', '/api/ops/status')).status).toBe(401);
    expect((await n.api.call('GET', '/api/ops/status', { token: organizer.token })).status).toBe(403);
  });
});

describe('GET /api/events/:id/sales', () => {
  it('counts paid tickets and revenue per minute for the event\'s organizer only', async () => {
    const event = await n.api.createEvent(organizer.token, { currency: 'EUR', ticketTypes: [{ name: 'General', price: 2_500, capacity: 50 }] });
    const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 3);
    const order = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: {} });
    await n.api.call('POST', `/api/payments/simulated/${order.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    await until(async () => (await n.t.db.query('SELECT paid_at FROM orders WHERE id = $1', [order.body.id])).rows[0].paid_at !== null, 'payment');

    const sales = await n.api.call('GET', `/api/events/${event.id}/sales`, { token: organizer.token });
    expect(sales.status).toBe(200);
    expect(sales.body.points).toEqual([{ at: expect.stringMatching(/:00\.000Z$/), tickets: 3, revenue: 7_500 }]);
    // The event's reminder job waits for its day: scheduled, not backlog.
    const jobs = (await n.api.call('GET', '/api/ops/status', { token: operatorToken })).body.jobs as { name: string; created: number; scheduled: number }[];
    expect(jobs.find((q) => q.name === 'event-reminder')).toMatchObject({ created: 0, scheduled: 1 });
    expect((await n.api.call('GET', `/api/events/${event.id}/sales?bucket=week`, { token: organizer.token })).status).toBe(400);
    const other = await n.api.signup('organizer', 'other');
    expect((await n.api.call('GET', `/api/events/${event.id}/sales`, { token: other.token })).status).toBe(404);
  });
});
