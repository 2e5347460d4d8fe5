import { inTransaction } from '../db/transaction.ts';
import { selectEventConfig } from '../db/events.ts';
import { EngineVerbs } from '../engine_verbs.ts';
import type { Refusal } from '../inventory/types.ts';
import type { JobDeps, JobHandler } from '../jobs/queues.ts';
import { revokeEventTickets } from './cancellation.ts';

/** Refusals that mean "not now": the job throws and pg-boss retries it. */
const transient = new Set(['busy', 'shard_unavailable']);

/**
 * `event-cancel`: the work of a cancellation (cancellation/cancellation.ts
 * made the request). Idempotent per event, so a run killed anywhere (kill -9)
 * is simply run again by pg-boss after the job's expiry:
 *
 * 1. The inventory actor takes the event's settings, cancelled: it refuses
 *    every new hold and every confirmation from then on (a restarted actor
 *    reads the same from Postgres).
 * 2. It releases every open hold (journaled; nothing more to release the
 *    second time).
 * 3. A payment confirmed just before step 1 may still be on its way to its
 *    order: while any order of the event has a succeeded payment and is not
 *    yet paid, the job throws and is retried (its confirmation either sells
 *    the order, listed below, or, refused by the actor, refunds it itself).
 * 4. In one transaction: every paid order of the event not listed yet is
 *    listed (event_cancellation_orders, once per order) and its `refund` job
 *    queued (key `<order>:cancel`, the reason `event_cancelled`, used tickets
 *    included), and the cancellation is marked listed.
 *
 * Each order is refunded once however often this runs: the refund job is
 * idempotent per order (the provider call is keyed by the order, the order
 * moves to refunded once, and its notice, email and/or SMS as the buyer
 * chose, is queued in that same transaction, keyed by the order).
 */
export const cancelEventJob: JobHandler<'event-cancel'> = async (deps, { eventId }) => {
  const config = await selectEventConfig(deps.db, eventId);
  if (config === null) throw new Error(`no event ${eventId}`);
  if (config.cancelled !== true) throw new Error(`event ${eventId} is not cancelled; nothing to do`);
  const engine = new EngineVerbs(deps.engine);
  answerOf(await engine.reconfigure({ eventId, config }), 'reconfigure');
  const released = answerOf(await engine.releaseAllHolds({ eventId }), 'releaseAllHolds');
  if (released.count > 0) deps.log('info', `event-cancel: event ${eventId}: ${released.count} open holds released`);

  const confirming = await countOrdersBeingConfirmed(deps, eventId);
  if (confirming > 0) throw new Error(`event ${eventId}: ${confirming} paid orders are still being confirmed; listing the orders once they are`);

  const listed = await inTransaction(deps.db, async (tx) => {
    // A ticket issued since the request (an order confirmed just before it) stops admitting too.
    await revokeEventTickets(tx, eventId);
    const { rows } = await tx.query<{ orderId: string }>(
      `INSERT INTO event_cancellation_orders (order_id, event_id)
       SELECT o.id, o.event_id FROM orders o
        WHERE o.event_id = $1 AND o.status IN ('paid', 'ticketed')
          AND NOT EXISTS (SELECT 1 FROM event_cancellation_orders l WHERE l.order_id = o.id)
       ORDER BY o.id
       RETURNING order_id AS "orderId"`,
      [eventId],
    );
    await deps.jobs.sendMany('refund', rows.map((r) => ({
      data: { orderId: r.orderId, reason: 'event_cancelled' as const, refundUsedTickets: true }, key: `${r.orderId}:cancel`,
    })), tx);
    await tx.query('UPDATE event_cancellations SET listed_at = COALESCE(listed_at, now()) WHERE event_id = $1', [eventId]);
    return rows.length;
  });
  deps.log('info', `event-cancel: event ${eventId}: ${listed} orders listed for refund`);
};

/** Orders whose payment succeeded but that are not paid (or refunded) yet: the payment sweeper or a payment-confirmed job is on them. */
async function countOrdersBeingConfirmed(deps: JobDeps, eventId: string): Promise<number> {
  const { rows } = await deps.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders o
      WHERE o.event_id = $1 AND o.status IN ('pending', 'failed', 'expired')
        AND EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded')`,
    [eventId],
  );
  return rows[0]!.n;
}

/** A verb's answer; a refusal throws, so pg-boss runs the job again. */
function answerOf<A extends { ok: true }>(outcome: A | Refusal, verb: string): A {
  if (outcome.ok) return outcome;
  if (transient.has(outcome.reason)) throw new Error(`engine ${outcome.reason} for ${verb}; retrying`);
  throw new Error(`engine refused ${verb} (${outcome.reason})`);
}
