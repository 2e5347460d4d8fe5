import { paymentSweepSize } from '../constants.ts';
import type { JobDeps } from '../jobs/queues.ts';
import { confirmCommon, issueConfirmed, type PaidOrder } from './payment_confirmed_batch.ts';
import type { Tx } from './tx.ts';

/**
 * The sweeper of succeeded payments (issue #13). The pay statement
 * (payments_db.ts `recordPaymentSuccesses`) writes no job: a payment that is
 * `succeeded` with `swept_at` NULL is its own outbox entry, found through the
 * partial index `payments_unswept_idx` (migration 0020). A sweep, in ONE
 * transaction:
 *
 * 1. claims up to `paymentSweepSize` of them, oldest first, `FOR UPDATE SKIP
 *    LOCKED` (sweeps of several loops and nodes take disjoint sets), and
 *    keeps those whose order's advisory lock it gets without waiting
 *    (`pg_try_advisory_xact_lock`, the lock the per-job handler holds a
 *    whole run: the two never work on one order at once, and the sweep never
 *    waits on a lock, so it cannot deadlock with one); the others stay
 *    unswept, for a later sweep;
 * 2. on the common path (one plain line, the hold still confirmable:
 *    payment_confirmed_batch.ts `confirmCommon`) confirms the holds, signs
 *    the tickets and moves the orders to ticketed (`issueConfirmed`);
 * 3. hands every other claimed payment (a late payment to re-hold, a basket,
 *    a refusal, an order already settled) to the `payment-confirmed` queue,
 *    keyed by the payment as before, where the per-job handler retries it
 *    and, after its last retry, dead-letters it (jobs/dead_letters.ts);
 * 4. marks every claimed payment swept, and commits.
 *
 * So a payment is swept at most once, and its tickets (or its job) commit
 * with the mark. A crash (kill -9) anywhere before the commit rolls all of
 * it back and releases the locks with the connection: the payments are
 * unswept again and the next sweep takes them; holds confirmed by the lost
 * sweep already have their tickets (the journal wrote them before the
 * confirm was answered), which `confirmCommon` finds and uses. Nothing is
 * lost, nothing is issued twice.
 *
 * A sweep that throws (a bad row, a deadlock with another writer, a key that
 * cannot be opened) is rolled back and its payments are handed over to the
 * queue in a second transaction, so one bad payment is retried and
 * dead-lettered alone, never retried by every sweep forever. With
 * `common: false` (the queue's batch handler replaced, in tests) every
 * payment goes to the queue.
 *
 * Answers how many payments it claimed: the loop (jobs/boss.ts) sweeps again
 * at once while there are some, and polls when there are none.
 */
export type SweepOptions = {
  common: boolean;
  size?: number;
  /** Look first, with one statement and no transaction, whether any payment waits (an idle loop's poll: one statement, not three). */
  probe?: boolean;
};

export async function sweepPayments(deps: JobDeps, opts: SweepOptions): Promise<number> {
  if (opts.probe === true && !(await anyWaiting(deps))) return 0;
  const claimed: PaidOrder[] = [];
  try {
    await inTransaction(deps, async (tx) => {
      claimed.push(...await claim(tx, opts.size ?? paymentSweepSize));
      if (claimed.length === 0) return;
      const issued = opts.common ? await issueCommon(deps, tx, claimed) : new Set<string>();
      await handOver(deps, tx, claimed.filter((c) => !issued.has(c.key)));
      await markSwept(tx, claimed);
    });
  } catch (error) {
    if (claimed.length === 0) throw error;
    deps.log('warn', `payment sweep of ${claimed.length} failed, handing each payment to the payment-confirmed queue: ${(error as Error).message}`);
    await inTransaction(deps, async (tx) => {
      const again = await reclaim(tx, claimed.map((c) => c.paymentId));
      await handOver(deps, tx, again);
      await markSwept(tx, again);
    });
  }
  return claimed.length;
}

async function anyWaiting(deps: JobDeps): Promise<boolean> {
  const { rows } = await deps.db.query({ name: 'payment-sweep-probe', text: `SELECT 1 FROM payments WHERE status = 'succeeded' AND swept_at IS NULL LIMIT 1` });
  return rows.length > 0;
}

/** Succeeded payments not yet swept, locked, whose orders' advisory locks this transaction now holds. */
async function claim(tx: Tx, size: number): Promise<PaidOrder[]> {
  const { rows } = await tx.query<PaidOrder>({
    name: 'payment-sweep-claim',
    text: `WITH c AS MATERIALIZED (SELECT p.id, p.order_id FROM payments p WHERE p.status = 'succeeded' AND p.swept_at IS NULL
                                    ORDER BY p.captured_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           SELECT c.id AS key, c.id AS "paymentId", c.order_id AS "orderId" FROM c
            WHERE pg_try_advisory_xact_lock(hashtextextended('order:' || c.order_id, 0)) ORDER BY c.order_id`,
    values: [size],
  });
  return rows;
}

/** The same payments again after a failed sweep, still unswept, with their order locks. */
async function reclaim(tx: Tx, paymentIds: string[]): Promise<PaidOrder[]> {
  const { rows } = await tx.query<PaidOrder>(
    `WITH c AS MATERIALIZED (SELECT p.id, p.order_id FROM payments p WHERE p.id = ANY($1::uuid[]) AND p.status = 'succeeded' AND p.swept_at IS NULL
                               ORDER BY p.id FOR UPDATE SKIP LOCKED)
     SELECT c.id AS key, c.id AS "paymentId", c.order_id AS "orderId" FROM c WHERE pg_try_advisory_xact_lock(hashtextextended('order:' || c.order_id, 0))`,
    [paymentIds]);
  return rows;
}

async function issueCommon(deps: JobDeps, tx: Tx, claimed: PaidOrder[]): Promise<Set<string>> {
  const ready = await confirmCommon(deps, tx, claimed);
  if (ready.length === 0) return new Set();
  return issueConfirmed(deps, tx, ready);
}

/** `payment-confirmed` jobs, keyed by the payment (as the pay path used to send them), in the sweep's transaction. */
async function handOver(deps: JobDeps, tx: Tx, payments: PaidOrder[]): Promise<void> {
  await deps.jobs.sendMany('payment-confirmed', payments.map((p) => ({ data: { orderId: p.orderId, paymentId: p.paymentId }, key: p.paymentId })), tx);
}

async function markSwept(tx: Tx, payments: PaidOrder[]): Promise<void> {
  if (payments.length === 0) return;
  await tx.query({ name: 'payment-sweep-mark', text: 'UPDATE payments SET swept_at = now() WHERE id = ANY($1::uuid[])', values: [payments.map((p) => p.paymentId)] });
}

/**
 * One client, one transaction; a client whose rollback failed is destroyed,
 * never reused. The connection can die while the sweep waits on the engine
 * with no statement running (the server restarted, an operator ended it):
 * the client then emits 'error', which is caught here, not left to crash the
 * node; the next statement fails and the transaction is lost, as in a crash.
 */
async function inTransaction(deps: JobDeps, work: (tx: Tx) => Promise<void>): Promise<void> {
  const client = await deps.db.connect();
  let broken: Error | undefined;
  const lost = (error: Error) => {
    broken = error;
  };
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    try {
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => {
        broken = rollback;
      });
      throw error;
    }
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}
