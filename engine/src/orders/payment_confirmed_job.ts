import { ask, type AnswerOf } from '../engine_verbs.ts';
import type { Command, Refusal } from '../inventory/types.ts';
import type { JobDeps, JobHandler } from '../jobs/queues.ts';
import {
  applyHolderNames, countTicketsOfHold, linkTicketsToOrder, moveOrder, selectOrder, selectOrderLines, setLineLateHold, setLineTicketed, type OrderLine, type OrderRow,
} from './orders_db.ts';
import { selectPayment } from './payments_db.ts';
import { keepsPromoUse } from './promo.ts';
import { releaseRedemption } from './promo_codes_db.ts';
import { isSold } from './states.ts';
import { withOrderLock, type Tx } from './tx.ts';

/** Refusals that mean "not now": the job throws and pg-boss retries it later. */
const transient = new Set(['busy', 'shard_unavailable']);

/**
 * `payment-confirmed`: the money is in, so the order must end with tickets or
 * a refund, never neither. Idempotent per payment: every step first looks at
 * what an earlier run left behind.
 *
 * 1. Tickets of the order's hold exist already (the journal flush wrote them
 *    before an earlier run's confirm was answered): use them.
 * 2. Otherwise `confirmHold`. If the hold lapsed, re-hold the same type and
 *    quantity for the same buyer under a key derived from the order, record
 *    that hold on the order before confirming it (a retry confirms the same
 *    hold even if the actor has forgotten the key), and confirm it.
 * 3. In one transaction: order -> paid with the hold that became tickets, the
 *    tickets linked to the order, `tickets-issue` enqueued.
 *    Or, when no stock is left: order -> paid without tickets and `refund`
 *    enqueued; the refund job tells the buyer.
 *
 * Two runs of one order never overlap (a job that outlived its expiry and
 * its rerun): the whole handler holds the order's advisory lock, so the
 * second finds the order paid. Otherwise both could find no tickets and the
 * second, finding the hold gone, would re-hold: two sets of tickets.
 */
export const paymentConfirmedJob: JobHandler<'payment-confirmed'> = (deps, { orderId, paymentId }) =>
  withOrderLock(deps.db, orderId, (db) => confirmPaidOrder(deps, db, orderId, paymentId));

async function confirmPaidOrder(deps: JobDeps, db: Tx, orderId: string, paymentId: string): Promise<void> {
  const order = await selectOrder(db, orderId);
  if (order === null) throw new Error('no such order');
  const payment = await selectPayment(db, paymentId);
  if (payment === null || payment.orderId !== orderId) throw new Error(`no payment ${paymentId} for this order`);
  if (payment.status !== 'succeeded') {
    deps.log('info', `payment-confirmed: payment ${paymentId} is ${payment.status}; nothing to confirm`);
    return;
  }
  // Done before: paid (with tickets or a refund queued), ticketed or refunded.
  if (isSold(order.status) || order.status === 'refunded') return;

  // A promo code's use given back when the hold lapsed is claimed again, within the cap (promo.ts); none left: refunded.
  const promoKept = order.promoCode === null || (await keepsPromoUse(db, orderId));
  const lines = await selectOrderLines(db, orderId);
  const ticketed: (string | null)[] = [];
  if (promoKept) for (const line of lines) ticketed.push(await ticketsFor(deps, db, order, line));
  const first = ticketed[0] ?? null;
  await inLockedTransaction(db, async (tx) => {
    const whole = promoKept && ticketed.every((holdId) => holdId !== null);
    const failure = promoKept ? 'late_payment_sold_out' : 'late_payment_promo_used_up';
    const moved = whole
      ? await moveOrder(tx, orderId, 'paid', { ticketedHoldId: first! })
      : await moveOrder(tx, orderId, 'paid', { failure, ...(first === null ? {} : { ticketedHoldId: first }) });
    if (!moved) return;
    // Lines that got tickets are linked even when another did not: the refund then revokes them and puts their seats back.
    for (const [i, line] of lines.entries()) {
      const holdId = ticketed[i] ?? null;
      if (holdId === null) continue;
      await setLineTicketed(tx, orderId, line.line, holdId);
      await linkTicketsToOrder(tx, orderId, holdId);
      await applyHolderNames(tx, holdId, line.holderNames ?? []);
    }
    if (!whole) {
      // A basket is all or nothing: one line left without stock refunds the whole order, and the code's use goes back.
      await releaseRedemption(tx, orderId);
      await deps.jobs.send('refund', { orderId, reason: failure }, { key: orderId, tx });
      deps.log('info', `order ${orderId}: paid after its hold lapsed and ${promoKept ? 'no stock is left' : 'its promo code is used up'}; refunding`);
      return;
    }
    await deps.jobs.send('tickets-issue', { orderId }, { key: orderId, tx });
  });
}

/** A transaction on the client that holds the lock (a second client could wait on this one's work: a pool deadlock). */
async function inLockedTransaction(db: Tx, work: (tx: Tx) => Promise<void>): Promise<void> {
  await db.query('BEGIN');
  try {
    await work(db);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** The hold whose tickets an order line gets, confirmed by now; null when no stock is left for it. */
async function ticketsFor(deps: JobDeps, db: Tx, order: OrderRow, line: OrderLine): Promise<string | null> {
  if ((await countTicketsOfHold(db, line.holdId)) > 0) return line.holdId;
  const confirmed = await send(deps, { kind: 'confirmHold', eventId: order.eventId, holdId: line.holdId });
  if (confirmed.ok) return line.holdId;
  await notConfirmedAlready(deps, order.eventId, line.holdId);

  // The hold lapsed (or was released on a decline): a late payment.
  if (line.lateHoldId !== null) {
    if ((await countTicketsOfHold(db, line.lateHoldId)) > 0) return line.lateHoldId;
    const again = await send(deps, { kind: 'confirmHold', eventId: order.eventId, holdId: line.lateHoldId });
    if (again.ok) return line.lateHoldId;
    await notConfirmedAlready(deps, order.eventId, line.lateHoldId);
    // That re-hold lapsed too before we confirmed it (a long outage): try once more under a fresh key.
  }
  // The key follows from what the order records, so a retry repeats the same placeHold (line 1 keeps the key of single-type orders).
  const lineKey = line.line === 1 ? `late:${order.id}` : `late:${order.id}:${line.line}`;
  const key = line.lateHoldId === null ? lineKey : `late:${order.id}:after:${line.lateHoldId}`;
  const placed = await send(deps, { kind: 'placeHold', eventId: order.eventId, typeId: line.typeId, qty: line.quantity, buyer: order.buyerId, key });
  if (!placed.ok) {
    // sold_out, limit_reached, sale_ended, unknown_ticket_type...: this payment cannot become tickets.
    deps.log('info', `order ${order.id}: late payment cannot re-hold (${placed.reason})`);
    return null;
  }
  const lateHoldId = placed.hold.holdId;
  if (placed.hold.status === 'confirmed' && (await countTicketsOfHold(db, lateHoldId)) > 0) return lateHoldId;
  // Committed at once (no transaction is open here): a retry confirms this hold even if the actor forgot the key.
  await setLineLateHold(db, order.id, line.line, lateHoldId);
  const confirmedLate = await send(deps, { kind: 'confirmHold', eventId: order.eventId, holdId: lateHoldId });
  if (!confirmedLate.ok) throw new Error(`late hold ${lateHoldId} could not be confirmed (${confirmedLate.reason}); retrying`);
  return lateHoldId;
}

/**
 * A confirm that finds no hold may come after an earlier run's confirm whose
 * answer was lost (a timeout, a partition) while its journal flush, with the
 * tickets, was still on its way: the actor has closed the hold as confirmed,
 * the tickets are not in the database yet. Taking that hold for lapsed would
 * re-hold and sell the buyer a second set of seats for one payment (the chaos
 * run found it: `npm run chaos`). So ask the actor what became of the hold,
 * and while it says confirmed, retry later, when the tickets are there (or the
 * flush failed, the worker was rebuilt, and the hold is open again).
 */
async function notConfirmedAlready(deps: JobDeps, eventId: string, holdId: string): Promise<void> {
  const hold = await send(deps, { kind: 'getHold', eventId, holdId });
  if (hold.ok && hold.hold.status === 'confirmed') {
    throw new Error(`hold ${holdId} is confirmed but its tickets are not in the database yet (an earlier confirm still being written); retrying`);
  }
}

/** The typed answer (an answer of another kind throws UnexpectedAnswer); a transient refusal throws, so the job retries. */
async function send<C extends Command>(deps: JobDeps, cmd: C): Promise<AnswerOf<C['kind']> | Refusal> {
  const outcome = await ask(deps.engine, cmd);
  if (!outcome.ok && transient.has(outcome.reason)) throw new Error(`engine ${outcome.reason} for ${cmd.kind}; retrying`);
  return outcome;
}
