import { EngineVerbs } from '../engine_verbs.ts';
import type { BatchJob, BatchJobHandler, JobDeps } from '../jobs/queues.ts';
import { issueOrders } from '../tickets/issue_batch.ts';
import { mirrorTicketedToFirstLine } from './orders_db.ts';
import { sourcesOf } from './states.ts';
import type { Tx } from './tx.ts';

type Candidate = { item: PaidOrder; orderId: string; eventId: string; holdId: string; hasTickets: boolean };

type Row = {
  n: number; order_id: string; payment_id: string; event_id: string | null; hold_id: string | null; status: string | null;
  late_hold_id: string | null; payment_order_id: string | null; payment_status: string | null; hold_tickets: number; plain: boolean | null;
};

/**
 * `payment-confirmed` for a fetched batch, on the common path: a succeeded
 * payment of a pending (or failed, or expired) order whose hold the actor
 * still confirms. For those orders it does in one transaction what
 * payment-confirmed and tickets-issue do one order at a time: tickets linked
 * and signed, the order moved from pending (failed, expired) to ticketed with
 * its paid_at in one UPDATE (paid and ticketed at once), confirmation emails
 * queued. No `tickets-issue` job is needed for them: a paid order and its
 * tickets commit together, so it can never be left paid without tickets.
 *
 * Every other job (a late payment to re-hold, a refund, an order already
 * moved, a transient engine refusal) is left to the per-job handler, which
 * runs after this batch has released its locks.
 *
 * Safety as in payment_confirmed_job.ts: the batch holds every order's
 * advisory lock (taken in key order, so two batches cannot deadlock) from
 * before it reads the orders until after it commits, so no other run of the
 * same order overlaps it. A crash anywhere before the commit leaves confirmed
 * holds whose tickets the journal already wrote; the rerun finds them
 * (`hold_tickets`) and uses them, as the per-job handler does.
 */
export const paymentConfirmedBatch: BatchJobHandler<'payment-confirmed'> = async (deps, jobs) => {
  const client = await deps.db.connect();
  let broken: Error | undefined;
  try {
    await client.query(
      `SELECT pg_advisory_lock(k) FROM (SELECT DISTINCT hashtextextended('order:' || o, 0) AS k FROM unnest($1::text[]) AS o ORDER BY 1) AS s`,
      [jobs.map((j) => j.data.orderId)],
    );
    try {
      return await confirmAndIssue(deps, client, jobs);
    } finally {
      await client.query('SELECT pg_advisory_unlock_all()').catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    // A client that could not release its locks is destroyed, never reused while holding them.
    client.release(broken);
  }
};

async function confirmAndIssue(deps: JobDeps, client: Tx, jobs: BatchJob<'payment-confirmed'>[]): Promise<Set<string>> {
  const ready = await confirmCommon(deps, client, jobs.map((j) => ({ key: j.id, orderId: j.data.orderId, paymentId: j.data.paymentId })));
  if (ready.length === 0) return new Set();
  await client.query('BEGIN');
  try {
    const issued = await issueConfirmed(deps, client, ready);
    await client.query('COMMIT');
    return issued;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** A succeeded payment of an order, named by `key` (a job's id, or the payment's id for the sweeper). */
export type PaidOrder = { key: string; orderId: string; paymentId: string };

/**
 * The common path's first half, for the batch handler and the sweeper
 * (payment_sweep.ts): which of `paid` are plain orders (one line, no names)
 * still waiting for their tickets, with a succeeded payment, and whose hold
 * the actor confirms now (or confirmed before: its tickets exist). Answers
 * those; every other one is left to the per-job handler. The caller holds
 * every order's advisory lock.
 */
export async function confirmCommon(deps: JobDeps, client: Tx, paid: PaidOrder[]): Promise<(PaidOrder & { holdId: string })[]> {
  const rows = (await client.query<Row>(
    `SELECT j.n::int AS n, j.order_id, j.payment_id, o.event_id, o.hold_id, o.status, o.late_hold_id, p.order_id AS payment_order_id, p.status AS payment_status,
            (SELECT count(*)::int FROM tickets t WHERE t.hold_id = o.hold_id) AS hold_tickets,
            (SELECT count(*) = 1 AND bool_and(l.holder_names IS NULL) FROM order_lines l WHERE l.order_id = o.id) AS plain
       FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS j (order_id, payment_id, n)
       LEFT JOIN orders o ON o.id = j.order_id LEFT JOIN payments p ON p.id = j.payment_id`,
    [paid.map((j) => j.orderId), paid.map((j) => j.paymentId)])).rows;
  const engine = new EngineVerbs(deps.engine);
  const sources = new Set<string>(sourcesOf('paid'));
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const row of rows) {
    const item = paid[row.n - 1]!;
    // A basket (several lines) or names given at checkout take the per-job path, which confirms line by line.
    const common = row.status !== null && sources.has(row.status) && row.late_hold_id === null && row.plain === true
      && row.payment_order_id === row.order_id && row.payment_status === 'succeeded' && !seen.has(row.order_id);
    if (!common) continue;
    seen.add(row.order_id);
    candidates.push({ item, orderId: row.order_id, eventId: row.event_id!, holdId: row.hold_id!, hasTickets: row.hold_tickets > 0 });
  }
  const confirmed = await Promise.all(candidates.map(async (c) => {
    // Tickets of the hold exist: an earlier run's confirm was made durable before it was answered.
    if (c.hasTickets) return true;
    // Any refusal (lapsed hold, busy shard) goes to the per-job handler, which knows each answer.
    const outcome = await engine.confirmHold({ eventId: c.eventId, holdId: c.holdId });
    return outcome.ok;
  }));
  return candidates.filter((_, i) => confirmed[i]).map((c) => ({ ...c.item, holdId: c.holdId }));
}

/**
 * The common path's second half, in the caller's transaction: the confirmed
 * orders' tickets signed and the orders ticketed (issue_batch.ts). Answers the
 * keys of the orders issued; an order whose tickets are not visible yet is
 * left pending, for the per-job handler.
 */
export async function issueConfirmed(deps: JobDeps, tx: Tx, ready: PaidOrder[]): Promise<Set<string>> {
  const issued = await issueOrders(tx, deps, ready.map((c) => c.orderId), { paying: true });
  await mirrorTicketedToFirstLine(tx, [...issued]);
  return new Set(ready.filter((c) => issued.has(c.orderId)).map((c) => c.key));
}
