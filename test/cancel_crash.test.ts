import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsSchema } from '../engine/src/jobs/boss.ts';
import { selectJournalAfter } from '../engine/src/journal/load.ts';
import { apiClient } from '../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../engine/src/testing/db.ts';
import { signUp, spawnNode, type NodeProcess } from '../engine/src/testing/kit.ts';

/*
 * A real node is killed with SIGKILL twice in the middle of cancelling an
 * event (#15), and started again on the same database each time:
 *
 * 1. while the event-cancel job is inside its listing transaction (the
 *    orders listed, their refund jobs sent, not committed): nothing of it
 *    survives, and the job runs again;
 * 2. while the refunds run: all but one order are refunded (their jobs done
 *    but not yet recorded complete in pg-boss, so they all run again), the
 *    last one waits on a row lock the test holds.
 *
 * In the end every order is refunded exactly once (one refund reference, one
 * order move, the stock given back once) and every buyer told once, by the
 * channel they chose. The steps are stopped by locks the test holds, so each
 * kill lands there every run rather than by chance.
 */

const env = {
  TICKR_TOKEN_SECRET: 'cancel-crash-secret-cancel-crash-0123456',
  TICKR_TICKET_KEY_SECRET: 'cancel-crash-ticket-key-secret-0123456789',
  TICKR_SIGNUPS_PER_ADDRESS: '100',
  TICKR_WORKERS: '1',
};
const buyersCount = 12;
/** The advisory lock the test's trigger waits on inside the job's listing transaction. */
const listingLock = 715_015;

describe('a crash in the middle of an event cancellation (kill -9)', () => {
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

  const count = async (sql: string, values: unknown[] = []) => (await t.db.query<{ n: number }>(sql, values)).rows[0]!.n;

  /** The killed node's jobs stay active until their expiry; that time passes while it is down, and pg-boss's expiry runs. */
  async function restart(): Promise<void> {
    await t.db.query(`UPDATE ${jobsSchema}.job SET started_on = now() - interval '1 day' WHERE state = 'active'`);
    const boss = new PgBoss({ connectionString: t.url, schema: jobsSchema, supervise: false, schedule: false, migrate: false });
    await boss.start();
    await (boss as unknown as { expire(): Promise<void> }).expire();
    await boss.stop({ graceful: false });
    node = await spawnNode({ dbUrl: t.url, env, port: node.port });
  }

  it('resumes, refunding each order exactly once and telling each buyer once', async () => {
    const organizer = await api.signup('organizer');
    const event = await api.createEvent(organizer.token, { name: 'Crash fest', perBuyerLimit: 4, ticketTypes: [{ name: 'GA', price: 2_500, capacity: buyersCount * 2 }] });
    // Every third buyer chose SMS only, every other one email and SMS.
    const buyers = await Promise.all(Array.from({ length: buyersCount }, async (_, i) => {
      const notify = i % 3 === 0 ? 'sms' : i % 2 === 0 ? 'both' : 'email';
      const { token } = await signUp(api.call, 'participant', {
        name: `Buyer ${i}`, extra: notify === 'email' ? {} : { phone: `20 ${String(100_000 + i).slice(0, 3)} ${String(100 + i).padStart(3, '0')}`, notify },
      });
      return { token, notify };
    }));
    const orders: string[] = [];
    for (const buyer of buyers) {
      const hold = await api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
      expect(hold.status).toBe(201);
      const checkout = await api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
      await api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
      orders.push(checkout.body.id as string);
    }
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'ticketed'`, [orders])) === buyersCount, 'every order ticketed');

    // Kill 1: inside the job's listing transaction. A trigger waits there on a lock the test holds.
    await t.db.query(`CREATE FUNCTION test_wait_listing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock_shared(${listingLock}); RETURN NEW; END $$`);
    await t.db.query('CREATE TRIGGER test_wait_listing BEFORE INSERT ON event_cancellation_orders FOR EACH ROW EXECUTE FUNCTION test_wait_listing()');
    const listing = await t.db.connect();
    await listing.query('SELECT pg_advisory_lock($1)', [listingLock]);
    // Held for kill 2: the refund of the first order waits to move it, inside its transaction.
    const orderLock = await t.db.connect();
    await orderLock.query('BEGIN');
    await orderLock.query('SELECT id FROM orders WHERE id = $1 FOR NO KEY UPDATE', [orders[0]]);
    try {
      const cancelled = await api.call('POST', `/api/events/${event.id}/cancel`, { token: organizer.token, body: { eventName: 'Crash fest' } });
      expect(cancelled.status).toBe(202);
      await waitForLockWait(t.db, 'event_cancellation_orders', 'the listing waiting');
      await node.kill('SIGKILL');
      expect(await count('SELECT count(*)::int AS n FROM event_cancellation_orders')).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM ${jobsSchema}.job WHERE name = 'refund'`)).toBe(0);
    } finally {
      // The dead node's backend, waiting on the lock, only finds its client gone once it has the lock: it then rolls back.
      await listing.query('SELECT pg_advisory_unlock($1)', [listingLock]);
      listing.release();
    }
    await t.db.query('DROP TRIGGER test_wait_listing ON event_cancellation_orders');
    expect(await count('SELECT count(*)::int AS n FROM event_cancellation_orders')).toBe(0);

    // Kill 2: every refund done but the locked order's, whose job waits in its transaction.
    try {
      await restart();
      await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'refunded'`, [orders])) === buyersCount - 1,
        'every refund but one');
      await waitForLockWait(t.db, 'UPDATE orders SET status', 'the last refund waiting');
      await node.kill('SIGKILL');
    } finally {
      await orderLock.query('ROLLBACK');
      orderLock.release();
    }
    expect(await count(`SELECT count(*)::int AS n FROM orders WHERE id = $1 AND status = 'ticketed'`, [orders[0]])).toBe(1);
    // The done refunds' jobs were never recorded complete: they run again after the restart.
    expect(await count(`SELECT count(*)::int AS n FROM ${jobsSchema}.job WHERE name = 'refund' AND state = 'active'`)).toBeGreaterThan(1);

    await restart();
    const view = await waitFor(async () => {
      const p = (await api.call('GET', `/api/events/${event.id}/cancellation`, { token: organizer.token })).body.cancellation;
      return p?.state === 'done' ? p : null;
    }, 'the cancellation done');
    expect(view.orders).toEqual({ total: buyersCount, refunded: buyersCount, manualWaiting: 0 });
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM ${jobsSchema}.job WHERE name = 'refund' AND state <> 'completed'`)) === 0, 'every refund job complete');

    // Each order refunded once: one refund reference each, the order moved once, the stock back once (nothing sold, nothing held).
    const payments = (await t.db.query(`SELECT order_id, status, refund_ref FROM payments WHERE order_id = ANY($1::uuid[])`, [orders])).rows;
    expect(payments).toHaveLength(buyersCount);
    for (const p of payments) expect(p).toMatchObject({ status: 'refunded', refund_ref: `simref_refund-${p.order_id}` });
    expect(await count(`SELECT count(*)::int AS n FROM event_cancellation_orders WHERE event_id = $1`, [event.id])).toBe(buyersCount);
    // The journal says it too: one tickets_refunded per order's hold, never two.
    const holds = (await t.db.query<{ hold: string }>(`SELECT ticketed_hold_id AS hold FROM orders WHERE id = ANY($1::uuid[])`, [orders])).rows.map((r) => r.hold);
    const refundedHolds = (await selectJournalAfter(t.db, event.id, 0)).flatMap((e) => (e.body.kind === 'tickets_refunded' ? [e.body.holdId] : []));
    expect(refundedHolds.sort()).toEqual(holds.sort());
    const live = (await api.call('GET', `/api/events/${event.id}`)).body;
    expect({ sold: live.ticketTypes[0].sold, held: live.ticketTypes[0].held }).toEqual({ sold: 0, held: 0 });
    expect(await count(`SELECT count(*)::int AS n FROM tickets WHERE event_id = $1 AND status = 'revoked'`, [event.id])).toBe(buyersCount * 2);

    // Each buyer told once, by the channel chosen: an email unless SMS only, an SMS unless email only.
    const keys = orders.map((o) => `refund_notice:${o}`);
    const emails = (await t.db.query(`SELECT key, count(*)::int AS n FROM email_outbox WHERE template = 'refund_notice' GROUP BY key`)).rows;
    const texts = (await t.db.query(`SELECT key, count(*)::int AS n FROM sms_outbox WHERE template = 'refund_notice' GROUP BY key`)).rows;
    const wanted = (channel: 'email' | 'sms') => keys.filter((_, i) => (channel === 'email' ? buyers[i]!.notify !== 'sms' : buyers[i]!.notify !== 'email')).sort();
    expect(emails.map((e) => e.key).sort()).toEqual(wanted('email'));
    expect(texts.map((e) => e.key).sort()).toEqual(wanted('sms'));
    expect([...emails, ...texts].every((e) => e.n === 1)).toBe(true);
    // Each notice's delivery job ran once: the email and SMS outboxes hold it delivered (dev outbox), once.
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM email_outbox WHERE key = ANY($1::text[]) AND status <> 'outbox'`, [keys])) === 0, 'emails delivered');
    expect(await count(`SELECT count(*)::int AS n FROM email_outbox WHERE key = ANY($1::text[]) AND subject = 'Crash fest is cancelled: your refund'`, [keys])).toBe(wanted('email').length);
  }, 300_000);
});

async function waitForLockWait(db: TestDatabase['db'], query: string, what: string): Promise<void> {
  await waitFor(async () => (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, [`%${query}%`])).rows[0]!.n > 0, what);
}

async function waitFor<T>(check: () => Promise<T | null | false>, what: string): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
