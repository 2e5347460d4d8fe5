import type { Db } from '../db/pool.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Jobs, SqlExecutor } from '../jobs/queues.ts';

/**
 * Cancelling an event (#15, migration 0018), the part the edge calls: the
 * request, and the progress the organizer's dashboard shows. The work is the
 * `event-cancel` job's (cancellation/cancel_job.ts).
 *
 * The request does, in one transaction, what must hold the moment it is
 * answered: the event is cancelled (`cancelled_at`, set once), every ticket is
 * revoked (the scanner refuses them at once, online and, with the revocation
 * list, offline), and the job is queued. The job stops the sales in the
 * inventory actor and refunds every paid order through the refund job.
 */

export type CancelOutcome =
  | { ok: true; applied: boolean; view: CancellationView }
  | { ok: false; reason: 'event_not_found' | 'confirmation_mismatch' };

export type CancellationView = {
  eventId: string;
  cancelledAt: string;
  /** stopping: sales are being stopped and the orders listed; refunding: refunds under way; done: every listed order refunded. */
  state: 'stopping' | 'refunding' | 'done';
  orders: {
    /** Paid orders the cancellation refunds (known once the state is past stopping). */
    total: number;
    refunded: number;
    /** Konnect (e-Dinar) orders an operator must refund by hand; counted in total, not in refunded, until recorded. */
    manualWaiting: number;
  };
};

/** Spaces at either end and runs of spaces do not count: the organizer types the name as they read it. */
export function sameName(typed: string, name: string): boolean {
  const tidy = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
  return tidy(typed) === tidy(name);
}

/**
 * The organizer cancels their event, confirming with its name. Another
 * organizer's event answers like a missing one. Cancelling again answers the
 * cancellation as it stands (`applied: false`).
 */
export async function requestCancellation(deps: { db: Db; jobs: Jobs }, eventId: string, organizerId: string, typedName: string): Promise<CancelOutcome> {
  const outcome = await inTransaction(deps.db, async (tx): Promise<{ ok: true; applied: boolean } | CancelOutcome> => {
    // FOR UPDATE: two requests at once cancel once.
    const { rows } = await tx.query<{ organizerId: string; name: string; cancelled: boolean }>(
      'SELECT organizer_id AS "organizerId", name, cancelled_at IS NOT NULL AS cancelled FROM events WHERE id = $1 FOR UPDATE', [eventId]);
    const event = rows[0];
    if (event === undefined || event.organizerId !== organizerId) return { ok: false, reason: 'event_not_found' };
    if (event.cancelled) return { ok: true, applied: false };
    if (!sameName(typedName, event.name)) return { ok: false, reason: 'confirmation_mismatch' };
    await tx.query('UPDATE events SET cancelled_at = now(), updated_at = now() WHERE id = $1', [eventId]);
    await tx.query('INSERT INTO event_cancellations (event_id, requested_by) VALUES ($1, $2)', [eventId, organizerId]);
    await revokeEventTickets(tx, eventId);
    await deps.jobs.send('event-cancel', { eventId }, { key: eventId, tx });
    return { ok: true, applied: true };
  });
  if (!outcome.ok) return outcome;
  const view = await selectCancellation(deps.db, eventId);
  if (view === null) throw new Error(`event ${eventId} was cancelled but its cancellation is not readable`);
  return { ok: true, applied: outcome.applied, view };
}

/**
 * Every ticket of the event stops admitting. A used ticket is revoked too
 * (it keeps `used_at`, so the refund job still sees it was used and leaves
 * its seat sold). Idempotent.
 */
export async function revokeEventTickets(tx: SqlExecutor, eventId: string): Promise<void> {
  await tx.query(
    `UPDATE tickets SET status = 'revoked', revoked_at = now(), revoked_reason = 'event_cancelled' WHERE event_id = $1 AND status <> 'revoked'`, [eventId]);
}

/** How far the cancellation of `eventId` got; null when the event is not cancelled. */
export async function selectCancellation(db: SqlExecutor, eventId: string): Promise<CancellationView | null> {
  const { rows } = await db.query(
    `SELECT e.cancelled_at AS "cancelledAt", c.listed_at AS "listedAt",
            (SELECT count(*) FROM event_cancellation_orders l WHERE l.event_id = c.event_id)::int AS total,
            (SELECT count(*) FROM event_cancellation_orders l JOIN orders o ON o.id = l.order_id
              WHERE l.event_id = c.event_id AND o.status = 'refunded')::int AS refunded,
            (SELECT count(*) FROM event_cancellation_orders l JOIN manual_refunds m ON m.order_id = l.order_id
              WHERE l.event_id = c.event_id AND m.state = 'manual_required')::int AS "manualWaiting"
       FROM event_cancellations c JOIN events e ON e.id = c.event_id
      WHERE c.event_id = $1`,
    [eventId],
  );
  const row = rows[0] as { cancelledAt: Date; listedAt: Date | null; total: number; refunded: number; manualWaiting: number } | undefined;
  if (row === undefined) return null;
  const state = row.listedAt === null ? 'stopping' : row.refunded < row.total ? 'refunding' : 'done';
  return {
    eventId, cancelledAt: row.cancelledAt.toISOString(), state,
    orders: { total: row.total, refunded: row.refunded, manualWaiting: row.manualWaiting },
  };
}
