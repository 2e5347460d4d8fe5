import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsSchema } from '../engine/src/jobs/boss.ts';
import { eventVerifyKey } from '../engine/src/tickets/event_keys.ts';
import { verifyTicketSecret } from '../engine/src/tickets/secret.ts';
import { apiClient } from '../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../engine/src/testing/db.ts';
import { spawnNode, type NodeProcess } from '../engine/src/testing/kit.ts';

/*
 * A real node is killed with SIGKILL in the middle of a sweep of succeeded
 * payments (engine/src/orders/payment_sweep.ts; before it, a payment-confirmed
 * batch): the sweep has claimed the payments, the holds of the batch are
 * confirmed (their tickets written by the journal) and its transaction is
 * waiting to lock the orders it will issue. Started again on the same
 * database, every paid order ends with exactly its tickets, signed once, and
 * one confirmation email: nothing lost, nothing twice.
 *
 * The batch is stopped at that step by a row lock the test holds on one of
 * its orders, so the kill lands there every run rather than by chance.
 */

const env = {
  TICKR_TOKEN_SECRET: 'pipeline-crash-secret-pipeline-crash-0123',
  TICKR_TICKET_KEY_SECRET: 'pipeline-crash-ticket-key-secret-0123456789',
  TICKR_SIGNUPS_PER_ADDRESS: '100',
  TICKR_WORKERS: '1',
};
const buyersCount = 20;

describe('a crash in the middle of a payment-confirmed batch (kill -9)', () => {
  let t: TestDatabase;
  let node: NodeProcess;
  const api = apiClient(() => node.url);

  beforeAll(async () => {
    t = await freshDatabase();
    node = await spawnNode({ dbUrl: t.url, env });
  });
  afterAll(async () => {
    await node?.kill('SIGKILL');
    await t?.drop();
  });

  const count = async (sql: string, values: unknown[]) => (await t.db.query<{ n: number }>(sql, values)).rows[0]!.n;

  it('loses no paid order and issues nothing twice', async () => {
    const organizer = await api.signup('organizer');
    const event = await api.createEvent(organizer.token, { perBuyerLimit: 4, ticketTypes: [{ name: 'GA', price: 2_500, capacity: buyersCount * 2 }] });
    const buyers = await Promise.all(Array.from({ length: buyersCount }, (_, i) => api.signup('participant', `crash${i}`)));
    const orders = await Promise.all(buyers.map(async (buyer) => {
      const hold = await api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
      expect(hold.status).toBe(201);
      const checkout = await api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
      expect(checkout.status).toBe(201);
      return { buyer, id: checkout.body.id as string, session: checkout.body.payment.providerRef as string };
    }));
    const ids = orders.map((o) => o.id);

    // Hold one order's row: the batch that has it waits to lock it, after the confirms, inside its transaction.
    const blocker = await t.db.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [ids[0]]);
    try {
      for (const o of orders) {
        const paid = await api.call('POST', `/api/payments/simulated/${o.session}`, { token: o.buyer.token, body: { outcome: 'pay' } });
        expect(paid.body.status).toBe('succeeded');
      }
      await waitFor(async () => (await count(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR UPDATE OF o'`, [])) > 0,
      'the batch waiting on the held order');
      // The batch's holds are confirmed: the journal wrote the blocked order's tickets, with no order or secret yet.
      expect(await count('SELECT count(*)::int AS n FROM tickets t JOIN orders o ON o.hold_id = t.hold_id WHERE o.id = $1 AND t.secret IS NULL', [ids[0]])).toBe(2);
      await node.kill('SIGKILL');
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }

    // At the crash: no order paid without its signed tickets (a batch commits all of an order or none).
    expect(await count(
      `SELECT count(*)::int AS n FROM orders o WHERE o.id = ANY($1::uuid[]) AND o.status IN ('paid', 'ticketed')
         AND (SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.secret IS NOT NULL) <> o.quantity`, [ids])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM orders WHERE id = $1 AND status = 'pending'`, [ids[0]])).toBe(1);
    // The killed sweep's claim went with its transaction: the blocked order's payment is waiting to be swept again.
    expect(await count('SELECT count(*)::int AS n FROM payments WHERE order_id = $1 AND swept_at IS NULL', [ids[0]])).toBe(1);

    // The killed node's jobs (emails; a payment a sweep handed to the queue) stay active until their expiry; that time passes while it is down, and pg-boss's expiry runs.
    await t.db.query(`UPDATE ${jobsSchema}.job SET started_on = now() - interval '1 day' WHERE state = 'active'`);
    const boss = new PgBoss({ connectionString: t.url, schema: jobsSchema, supervise: false, schedule: false, migrate: false });
    await boss.start();
    await (boss as unknown as { expire(): Promise<void> }).expire();
    await boss.stop({ graceful: false });

    node = await spawnNode({ dbUrl: t.url, env, port: node.port });
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM email_outbox WHERE key = ANY($1::text[]) AND status = 'outbox'`,
      [ids.map((id) => `order_confirmation:${id}`)])) === buyersCount, 'every confirmation in the outbox');

    expect(await count(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'ticketed'`, [ids])).toBe(buyersCount);
    expect(await count('SELECT count(*)::int AS n FROM payments WHERE order_id = ANY($1::uuid[]) AND swept_at IS NULL', [ids])).toBe(0);
    const tickets = (await t.db.query('SELECT id, order_id, type_id, secret FROM tickets WHERE event_id = $1', [event.id])).rows;
    // Exactly the stock sold, two per order, each signed and valid.
    expect(tickets).toHaveLength(buyersCount * 2);
    const perOrder = new Map<string, number>();
    for (const ticket of tickets) perOrder.set(ticket.order_id, (perOrder.get(ticket.order_id) ?? 0) + 1);
    expect([...perOrder.keys()].sort()).toEqual([...ids].sort());
    expect([...perOrder.values()].every((n) => n === 2)).toBe(true);
    const key = (await eventVerifyKey(t.db, event.id))!;
    for (const ticket of tickets) expect(verifyTicketSecret(ticket.secret, key, event.id).ok).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM email_outbox WHERE template = 'order_confirmation' AND data->>'orderId' = ANY($1::text[])`, [ids])).toBe(buyersCount);
    // The restarted node may still be loading the event's shard (503 until it owns it): wait for its view.
    let view: { ticketTypes: { sold: number; held: number }[] } | undefined;
    await waitFor(async () => {
      const answer = await api.call('GET', `/api/events/${event.id}`);
      if (answer.status === 200) view = answer.body;
      return view !== undefined;
    }, 'the event view after the restart');
    expect({ sold: view!.ticketTypes[0]!.sold, held: view!.ticketTypes[0]!.held }).toEqual({ sold: buyersCount * 2, held: 0 });
  }, 180_000);
});

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
