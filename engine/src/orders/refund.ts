import type { Db } from '../db/pool.ts';
import type { JobHandler, Jobs } from '../jobs/queues.ts';
import { queueEmail } from '../mail/outbox.ts';
import { providersFor } from '../payments/providers.ts';
import { revokeOrderTickets } from '../tickets/revoke.ts';
import { OrderError, orderNotFound } from './errors.ts';
import { countTicketsOfHold, moveOrder, selectOrder, selectOrderContext, type OrderContext, type OrderRow } from './orders_db.ts';
import { markPaymentRefunded, selectPaymentOfOrder } from './payments_db.ts';
import { isSold } from './states.ts';
import { inTransaction } from '../db/transaction.ts';

const dayMs = 24 * 60 * 60_000;

/**
 * May the buyer ask for a refund at `now`? The organizer always may. Policies:
 * none (only the organizer refunds), until N days before the event starts,
 * always (until the event has started: a ticket used at the door is not refunded).
 */
export function buyerMayRefund(ctx: Pick<OrderContext, 'refundPolicy' | 'refundUntilDays' | 'startsAt'>, now: number): boolean {
  const starts = ctx.startsAt.getTime();
  switch (ctx.refundPolicy) {
    case 'none':
      return false;
    case 'always':
      return now < starts;
    case 'until':
      return now < starts - (ctx.refundUntilDays ?? 0) * dayMs;
  }
}

/**
 * A refund asked for through the API. Checks who asks and the event's policy,
 * then enqueues `refund` keyed by the order: asking twice refunds once.
 * Someone who is neither the buyer nor the event's organizer gets "no such order".
 */
export async function requestRefund(deps: { db: Db; jobs: Jobs; now: () => number }, orderId: string, caller: { id: string }): Promise<{ order: OrderRow; reason: 'organizer' | 'buyer' }> {
  const order = await selectOrder(deps.db, orderId);
  const ctx = order === null ? null : await selectOrderContext(deps.db, orderId);
  if (order === null || ctx === null) throw orderNotFound();
  const reason = ctx.organizerId === caller.id ? 'organizer' : order.buyerId === caller.id ? 'buyer' : null;
  if (reason === null) throw orderNotFound();
  if (order.status === 'refunded') return { order, reason };
  if (!isSold(order.status)) throw new OrderError(409, 'not_refundable', `This order is ${order.status}: only a paid order can be refunded.`);
  if (reason === 'buyer' && !buyerMayRefund(ctx, deps.now())) {
    const why = ctx.refundPolicy === 'none'
      ? 'The organizer of this event does not offer refunds; contact them.'
      : ctx.refundPolicy === 'until'
        ? `Refunds for this event close ${ctx.refundUntilDays} days before it starts; that time has passed.`
        : 'The event has started; refunds are closed.';
    throw new OrderError(403, 'refund_not_allowed', why);
  }
  await deps.jobs.send('refund', { orderId, reason }, { key: orderId });
  return { order, reason };
}

/**
 * `refund`: money back through the provider, tickets revoked, order refunded,
 * buyer told, stock back to the actor. Idempotent per order: the provider
 * call carries a key derived from the order, the order moves once, the email
 * is keyed by the order and the actor refunds a hold once.
 *
 * The order of the steps is the order of what matters: the money first (a
 * retry finishes the rest), then the tickets stop admitting with the order
 * refunded in one transaction, and the stock comes back last. A stock release
 * the actor refuses (it would be a bug) is logged and leaves seats unsold,
 * never sold twice; a retry of the job repeats only that step.
 */
export const refundJob: JobHandler<'refund'> = async (deps, { orderId, reason }) => {
  const order = await selectOrder(deps.db, orderId);
  if (order === null) throw new Error('no such order');
  if (!isSold(order.status) && order.status !== 'refunded') {
    deps.log('warn', `refund: order ${orderId} is ${order.status}; nothing was paid, nothing to refund`);
    return;
  }
  const payment = await selectPaymentOfOrder(deps.db, orderId);
  if (payment === null || payment.providerRef === null) throw new Error('paid order without a payment session');
  if (payment.status === 'succeeded') {
    const provider = providersFor(deps.config).get(order.provider);
    const { refundRef } = await provider.refund({ providerRef: payment.providerRef, amount: payment.amount, currency: payment.currency, key: `refund-${orderId}` });
    await markPaymentRefunded(deps.db, payment.id, refundRef);
  } else if (payment.status !== 'refunded') {
    throw new Error(`payment ${payment.id} is ${payment.status}; cannot refund`);
  }

  if (order.status !== 'refunded') {
    const ctx = await selectOrderContext(deps.db, orderId);
    if (ctx === null) throw new Error('order context vanished');
    await inTransaction(deps.db, async (tx) => {
      await revokeOrderTickets(tx, orderId);
      if (!(await moveOrder(tx, orderId, 'refunded'))) return;
      await queueEmail(tx, deps.jobs, {
        to: ctx.buyerEmail, template: 'refund_notice', locale: order.locale, key: `refund_notice:${orderId}`,
        data: { name: ctx.buyerName, eventName: ctx.eventName, orderId, amount: order.amount, currency: order.currency, reason },
      });
    });
  }

  const holdId = order.ticketedHoldId;
  if (holdId === null || (await countTicketsOfHold(deps.db, holdId)) === 0) return;
  const outcome = await deps.engine.send({ kind: 'refundTickets', eventId: order.eventId, holdId, typeId: order.typeId, qty: order.quantity, buyer: order.buyerId });
  if (outcome.ok) return;
  if (outcome.reason === 'busy' || outcome.reason === 'shard_unavailable') throw new Error(`engine ${outcome.reason} for refundTickets; retrying`);
  deps.log('error', `refund of order ${orderId}: the actor refused to put hold ${holdId} back on sale (${outcome.reason}); its ${order.quantity} seats stay unsold`);
};
