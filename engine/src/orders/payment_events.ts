import type { Db } from '../db/pool.ts';
import type { Engine } from '../engine.ts';
import { EngineVerbs } from '../engine_verbs.ts';
import type { Logger } from '../log.ts';
import { moveOrder, selectOrder, selectOrderLines } from './orders_db.ts';
import { recordPaymentSuccessGrouped } from './pay_group.ts';
import { markPaymentFailed, recordProviderEvent, selectPaymentByRef, type PaymentRow, type PaymentStatus, type SuccessRecorded } from './payments_db.ts';
import { inTransaction } from '../db/transaction.ts';

/**
 * The one confirmation path. Whatever told us (a Stripe webhook, a Clictopay
 * return or poll, a Konnect webhook, return or poll, the simulated pay page), the news becomes the same rows and
 * the same rows, in one statement:
 *
 * - the notice is recorded in `provider_events` by its id first, so a
 *   redelivery (same id) changes nothing;
 * - a success marks the payment succeeded and not yet swept: the sweeper
 *   (payment_sweep.ts) confirms the hold and issues the tickets, or hands the
 *   payment to `payment-confirmed`, keyed by the payment, which re-holds or
 *   refunds.
 *
 * A notice that arrives out of order (a failure after the success) changes
 * nothing: a payment that succeeded stays succeeded.
 */

export type Notice = { provider: string; noticeId: string; providerRef: string };
export type NoticeResult = 'applied' | 'duplicate' | 'unknown_payment' | 'no_change';

/** One statement (shared with the notices waiting beside it, pay_group.ts), its own transaction: the notice, the payment and its job commit together or not at all. */
export async function paymentSucceeded(db: Db, notice: Notice): Promise<NoticeResult> {
  return resultOf(await recordPaymentSuccessGrouped(db, { ...notice, buyerId: null }));
}

/**
 * A buyer paid on their own pay page (the simulated provider): the same one
 * statement, which also checks the payment is theirs, so the page needs no
 * read first. Null for a payment that is not theirs (nothing is recorded);
 * `status` is the payment's after the notice.
 */
export async function buyerPaid(db: Db, notice: Notice, buyerId: string): Promise<{ result: NoticeResult; orderId: string; status: PaymentStatus } | null> {
  const recorded = await recordPaymentSuccessGrouped(db, { ...notice, buyerId });
  if (recorded.orderId === null || recorded.status === null) return null;
  return { result: resultOf(recorded), orderId: recorded.orderId, status: recorded.moved ? 'succeeded' : recorded.status };
}

function resultOf({ recorded, paymentId, moved }: SuccessRecorded): NoticeResult {
  if (!recorded) return 'duplicate';
  if (paymentId === null) return 'unknown_payment';
  return moved ? 'applied' : 'no_change';
}

/**
 * A decline. `final` (simulated decline, Clictopay refusal): the order fails
 * and its hold goes back on sale at once. Not final (a Stripe card declined:
 * the buyer may try another card on the same PaymentIntent): recorded only.
 */
export async function paymentFailed(deps: { db: Db; engine: Engine; log: Logger }, notice: Notice & { final: boolean; reason: string }): Promise<NoticeResult> {
  // Filled inside the transaction, released after it commits (a closure's assignment would not narrow).
  const released: { eventId: string; holdIds: string[] } = { eventId: '', holdIds: [] };
  const result = await inTransaction(deps.db, async (tx): Promise<NoticeResult> => {
    if (!(await recordProviderEvent(tx, notice.provider, notice.noticeId))) return 'duplicate';
    const payment: PaymentRow | null = await selectPaymentByRef(tx, notice.provider, notice.providerRef, true);
    if (payment === null) return 'unknown_payment';
    if (!notice.final) return 'no_change';
    if (!(await markPaymentFailed(tx, payment.id))) return 'no_change';
    const order = await selectOrder(tx, payment.orderId, true);
    if (order !== null && (await moveOrder(tx, order.id, 'failed', { failure: notice.reason }))) {
      released.eventId = order.eventId;
      released.holdIds = (await selectOrderLines(tx, order.id)).map((line) => line.holdId);
    }
    return 'applied';
  });
  // Best effort: the holds expire on their own anyway. A payment that succeeds later still gets tickets (failed -> paid).
  const verbs = new EngineVerbs(deps.engine);
  for (const holdId of released.holdIds) {
    const outcome = await verbs.releaseHold({ eventId: released.eventId, holdId, buyer: null }).catch((e: unknown) => ({ ok: false, reason: String(e) }) as const);
    if (!outcome.ok && outcome.reason !== 'hold_not_found') deps.log('warn', `declined payment: hold ${holdId} not released now (${outcome.reason}); it expires on its own`);
  }
  return result;
}
