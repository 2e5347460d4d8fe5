import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDeps } from '../../../engine/src/jobs/queues.ts';
import { sweepPayments } from '../../../engine/src/orders/payment_sweep.ts';
import { eventVerifyKey } from '../../../engine/src/tickets/event_keys.ts';
import { verifyTicketSecret } from '../../../engine/src/tickets/secret.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * The sweeper of succeeded payments (engine/src/orders/payment_sweep.ts),
 * driven by hand: the node's own sweep loops are off, so each test decides
 * when sweeps run, how many at once, and what breaks in the middle. The
 * `payment-confirmed` queue runs as in production, for what a sweep hands it.
 * What must hold whatever happens: every paid order ends ticketed with exactly
 * its tickets, each signed once, and one confirmation email.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyerCount = 0;

beforeAll(async () => {
  n = await startOrdersNode({ env: { TICKR_SIGNUPS_PER_ADDRESS: '1000' }, handlers: { sweep: async () => 0 } });
  organizer = await n.api.signup('organizer', 'sweep-org');
});

afterAll(async () => {
  await n?.stop();
});

const qty = 2;

/** `count` orders of `qty` tickets paid through the simulated provider; nothing swept yet. */
async function paidOrders(count: number): Promise<{ eventId: string; orderIds: string[] }> {
  const event = await n.api.createEvent(organizer.token, { currency: 'EUR', ticketTypes: [{ name: 'GA', price: 2_500, capacity: count * qty }] });
  const orderIds = await Promise.all(Array.from({ length: count }, async () => {
    const buyer = await n.api.signup('participant', `sweep${buyerCount++}`);
    const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, qty);
    expect(hold.status).toBe(201);
    const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
    expect(checkout.status).toBe(201);
    const paid = await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    expect(paid.body.status).toBe('succeeded');
    return checkout.body.id as string;
  }));
  return { eventId: event.id, orderIds };
}

/** Sweeps until a sweep finds nothing waiting (this test's payments or another's: all must end swept). */
async function sweepAll(deps: JobDeps = n.deps, size?: number): Promise<void> {
  while ((await sweepPayments(deps, { common: true, ...(size === undefined ? {} : { size }) })) > 0);
}

async function unswept(orderIds: string[]): Promise<number> {
  return (await n.t.db.query(`SELECT count(*)::int AS n FROM payments WHERE order_id = ANY($1::uuid[]) AND swept_at IS NULL`, [orderIds])).rows[0].n;
}

/** payment-confirmed jobs (live or archived) keyed by the payments of these orders. */
async function queuedConfirmations(orderIds: string[]): Promise<number> {
  const { rows } = await n.t.db.query(
    `SELECT count(*)::int AS n FROM (SELECT singleton_key FROM pgboss.job WHERE name = 'payment-confirmed' UNION ALL SELECT singleton_key FROM pgboss.archive WHERE name = 'payment-confirmed') j
       JOIN payments p ON j.singleton_key = p.id::text WHERE p.order_id = ANY($1::uuid[])`, [orderIds]);
  return rows[0].n;
}

/** Every order ticketed with exactly `qty` valid tickets and one confirmation; answers the tickets, to compare later. */
async function settledOnce(eventId: string, orderIds: string[]): Promise<{ id: string; secret: string }[]> {
  await until(async () => (await n.t.db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'ticketed'`, [orderIds])).rows[0].n === orderIds.length,
    'every order ticketed');
  // No job of these payments still waiting or running: what the queue was handed is done.
  await until(async () => (await n.t.db.query(
    `SELECT count(*)::int AS n FROM pgboss.job j JOIN payments p ON j.singleton_key = p.id::text
      WHERE j.name = 'payment-confirmed' AND j.state IN ('created', 'retry', 'active') AND p.order_id = ANY($1::uuid[])`, [orderIds])).rows[0].n === 0,
    'the queue drained');
  const tickets = (await n.t.db.query('SELECT id, order_id, type_id, secret FROM tickets WHERE event_id = $1 ORDER BY id', [eventId])).rows;
  expect(tickets).toHaveLength(orderIds.length * qty);
  const perOrder = new Map<string, number>();
  for (const t of tickets) perOrder.set(t.order_id, (perOrder.get(t.order_id) ?? 0) + 1);
  expect([...perOrder.keys()].sort()).toEqual([...orderIds].sort());
  expect([...perOrder.values()].every((v) => v === qty)).toBe(true);
  const key = (await eventVerifyKey(n.t.db, eventId))!;
  for (const t of tickets) expect(verifyTicketSecret(t.secret, key, eventId).ok).toBe(true);
  const emails = (await n.t.db.query(`SELECT count(*)::int AS n FROM email_outbox WHERE key = ANY($1::text[])`, [orderIds.map((id) => `order_confirmation:${id}`)])).rows[0].n;
  expect(emails).toBe(orderIds.length);
  expect(await unswept(orderIds)).toBe(0);
  // Line 1 carries the hold that became the tickets, as the order does (orders_db.ts mirrorTicketedToFirstLine).
  const unmirrored = await n.t.db.query(
    `SELECT count(*)::int AS n FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.line = 1
      WHERE o.id = ANY($1::uuid[]) AND l.ticketed_hold_id IS DISTINCT FROM o.ticketed_hold_id`, [orderIds]);
  expect(unmirrored.rows[0].n).toBe(0);
  return tickets.map((t) => ({ id: t.id, secret: t.secret }));
}

describe('the payment sweeper', () => {
  it('issues each payment once whatever sweeps run together, and a payment swept twice gives one set of tickets', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.subarray([0, 1, 2, 3, 4, 5]),
      async (orders, size, together, sweptAgain) => {
        const { eventId, orderIds } = await paidOrders(orders);
        expect(await unswept(orderIds)).toBe(orders);
        await Promise.all(Array.from({ length: together }, () => sweepAll(n.deps, size)));
        const first = await settledOnce(eventId, orderIds);
        // A payment swept again (its mark lost, or a second sweeper): its order is done, so it goes to the queue, which finds it done.
        const again = sweptAgain.filter((i) => i < orders).map((i) => orderIds[i]!);
        await n.t.db.query('UPDATE payments SET swept_at = NULL WHERE order_id = ANY($1::uuid[])', [again]);
        await Promise.all(Array.from({ length: together }, () => sweepAll(n.deps, size)));
        expect(await settledOnce(eventId, orderIds)).toEqual(first);
      }), { numRuns: 6 });
  }, 240_000);

  it('loses nothing and issues nothing twice when a sweep\'s connection dies between its claim and its commit', async () => {
    const { eventId, orderIds } = await paidOrders(5);
    // The sweep's connection is cut (as a kill -9 of its node cuts it) once the actor has confirmed the first hold of the batch.
    let cut = false;
    const engine = {
      ...n.engine,
      send: async (cmd: Parameters<typeof n.engine.send>[0]) => {
        const outcome = await n.engine.send(cmd);
        if (cmd.kind === 'confirmHold' && !cut) {
          cut = true;
          await n.t.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%payment%' AND pid <> pg_backend_pid()`);
        }
        return outcome;
      },
    };
    // And the node is gone: no new connection either, so the sweep cannot hand its payments over.
    const db = Object.create(n.deps.db) as JobDeps['db'];
    db.connect = (async () => {
      if (cut) throw new Error('the node is gone');
      return n.deps.db.connect();
    }) as JobDeps['db']['connect'];
    const dying: JobDeps = { ...n.deps, engine, db };
    await expect(sweepPayments(dying, { common: true })).rejects.toThrow(/the node is gone/);
    expect(cut).toBe(true);
    // The lost transaction is rolled back: no order moved, no secret, no payment marked swept, nothing queued.
    expect((await n.t.db.query(`SELECT count(*)::int AS n FROM tickets WHERE event_id = $1 AND secret IS NOT NULL`, [eventId])).rows[0].n).toBe(0);
    expect((await n.t.db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'pending'`, [orderIds])).rows[0].n).toBe(orderIds.length);
    expect(await unswept(orderIds)).toBe(orderIds.length);
    // The holds it confirmed have their tickets from the journal, with no order yet; the next sweeps use them.
    expect((await n.t.db.query(`SELECT count(*)::int AS n FROM tickets WHERE event_id = $1`, [eventId])).rows[0].n).toBeGreaterThan(0);
    await sweepAll();
    await settledOnce(eventId, orderIds);
  }, 120_000);

  it('hands a sweep that fails to the queue, payment by payment, and each still ends with its tickets', async () => {
    const { eventId, orderIds } = await paidOrders(4);
    // Every sweep of these payments fails after the confirms (a key that cannot be opened, say): the queue takes them.
    const failing: JobDeps = { ...n.deps, config: { ...n.deps.config, ticketServerKey: Buffer.alloc(0) as never } };
    await sweepPayments(failing, { common: true });
    expect(await unswept(orderIds)).toBe(0);
    expect(await queuedConfirmations(orderIds)).toBe(orderIds.length);
    await settledOnce(eventId, orderIds);
  }, 120_000);

  it('hands every payment to the queue when the queue has no batch handler (common: false), and an idle probe finds nothing', async () => {
    await sweepAll();
    expect(await sweepPayments(n.deps, { common: true, probe: true })).toBe(0);
    const { eventId, orderIds } = await paidOrders(3);
    expect(await sweepPayments(n.deps, { common: false, probe: true })).toBe(3);
    expect(await unswept(orderIds)).toBe(0);
    expect(await queuedConfirmations(orderIds)).toBe(orderIds.length);
    await settledOnce(eventId, orderIds);
  }, 120_000);
});
