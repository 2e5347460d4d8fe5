import { manualRefundsListMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Jobs } from '../../../engine/src/jobs/queues.ts';
import { completeManualRefund, selectManualRefunds, type ManualRefundRow } from '../../../engine/src/orders/manual_refund.ts';
import { requireRole } from '../auth/guard.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { manualRefundDoneSchema, manualRefundsQuerySchema, normalizeUuid, parseBody, parseQuery } from '../validation.ts';
import { orderErrorToHttp } from './orders.ts';

export type ManualRefundsDeps = { db: Db; jobs: Jobs };

function view(r: ManualRefundRow) {
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    orderId: r.orderId, paymentId: r.paymentId, provider: r.provider, providerRef: r.providerRef, amount: r.amount, currency: r.currency,
    reason: r.reason, refundUsedTickets: r.refundUsedTickets, state: r.state, requestedAt: r.requestedAt.toISOString(),
    doneAt: iso(r.doneAt), doneBy: r.doneBy, reference: r.reference, note: r.note,
  };
}

/**
 * Manual refunds (engine/src/orders/manual_refund.ts), operators only: the
 * money sits in the platform's provider account (Konnect's wallet), which
 * only the operator can pay out of, so an organizer cannot record one.
 */
export function mountManualRefunds(router: Router, { db, jobs }: ManualRefundsDeps): void {
  router.route('get', '/api/ops/refunds/manual', async (ctx) => {
    requireRole(ctx, 'operator', 'admin');
    const { state } = parseQuery(manualRefundsQuerySchema, ctx.query);
    const refunds = await selectManualRefunds(db, state, manualRefundsListMax);
    return { status: 200, headers: { 'cache-control': 'no-store' }, body: { state, refunds: refunds.map(view) } };
  });

  router.route('post', '/api/ops/refunds/manual/:orderId', async (ctx) => {
    const claims = requireRole(ctx, 'operator', 'admin');
    const orderId = normalizeUuid(ctx.params.orderId ?? '');
    if (orderId === null) throw new HttpError(404, 'manual_refund_not_found', 'No manual refund is waiting for this order; check the order id.');
    const input = parseBody(manualRefundDoneSchema, ctx.body);
    try {
      const { refund, applied } = await completeManualRefund({ db, jobs }, orderId, claims.sub, input);
      return { status: 200, body: { ...view(refund), applied } };
    } catch (error) {
      throw orderErrorToHttp(error);
    }
  }, { body: true });
}
