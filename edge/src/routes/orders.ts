import type { Config } from '../../../engine/src/config.ts';
import { ordersListMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import type { Jobs } from '../../../engine/src/jobs/queues.ts';
import type { Logger } from '../../../engine/src/log.ts';
import { minorUnitExponent } from '../../../engine/src/money/currency.ts';
import { checkout } from '../../../engine/src/orders/checkout.ts';
import { OrderError } from '../../../engine/src/orders/errors.ts';
import { expireIfLapsed } from '../../../engine/src/orders/expire.ts';
import {
  selectLinesOfOrders, selectOrder, selectOrderContext, selectOrderLines, selectOrdersOfBuyer, selectOrdersOfEvent, type OrderLine, type OrderRow,
} from '../../../engine/src/orders/orders_db.ts';
import { selectManualRefund } from '../../../engine/src/orders/manual_refund.ts';
import { selectPaymentOfOrder, type PaymentRow } from '../../../engine/src/orders/payments_db.ts';
import { eventPayout, payoutCsv } from '../../../engine/src/orders/payout.ts';
import { requestRefund } from '../../../engine/src/orders/refund.ts';
import { selectReceipt } from '../../../engine/src/orders/receipt.ts';
import { providersFor } from '../../../engine/src/payments/providers.ts';
import type { Reason } from '../../../engine/src/inventory/types.ts';
import { requireRole } from '../auth/guard.ts';
import { requireOwnEvent } from '../auth/own_event.ts';
import { HttpError, outcomeToHttp } from '../http/errors.ts';
import type { Ctx, Router } from '../http/route.ts';
import { checkoutSchema, normalizeUuid, parseBody, parseOptionalBody, parseQuery, payoutQuerySchema, refundSchema } from '../validation.ts';

export type OrdersDeps = { config: Config; db: Db; engine: Engine; jobs: Jobs; log: Logger };

/** An order as its buyer (or the event's organizer) sees it. Only the buyer gets the payment's client secret. */
export function orderView(o: OrderRow, p: PaymentRow | null, forBuyer: boolean, lines: OrderLine[]) {
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    id: o.id,
    eventId: o.eventId,
    holdId: o.holdId,
    typeId: o.typeId,
    quantity: o.quantity,
    unitPrice: o.unitPrice,
    amount: o.amount,
    unitDiscount: o.unitDiscount,
    // Summed over the lines: a code for one type discounts its lines only.
    discount: lines.length === 0 ? o.unitDiscount * o.quantity : lines.reduce((n, l) => n + l.unitDiscount * l.quantity, 0),
    promoCode: o.promoCode,
    currency: o.currency,
    lines: lines.map((l) => ({
      line: l.line, holdId: l.holdId, typeId: l.typeId, typeName: l.typeName, quantity: l.quantity, unitPrice: l.unitPrice,
      unitDiscount: l.unitDiscount, amount: l.quantity * (l.unitPrice - l.unitDiscount), holderNames: l.holderNames,
    })),
    status: o.status,
    provider: o.provider,
    failure: o.failure,
    createdAt: o.createdAt.toISOString(),
    paidAt: iso(o.paidAt),
    ticketedAt: iso(o.ticketedAt),
    refundedAt: iso(o.refundedAt),
    payment: p === null ? null : {
      id: p.id,
      status: p.status,
      providerRef: p.providerRef,
      redirectUrl: forBuyer ? p.redirectUrl : null,
      clientSecret: forBuyer ? p.clientSecret : null,
    },
  };
}

/** An expected refusal from the orders code, in the one error shape; engine reasons are worded as everywhere else. */
export function orderErrorToHttp(error: unknown): unknown {
  if (!(error instanceof OrderError)) return error;
  if (error.engineReason !== undefined) return outcomeToHttp({ ok: false, reason: error.engineReason as Reason });
  return new HttpError(error.status, error.code, error.message);
}

export const orderNotFound = () => new HttpError(404, 'order_not_found', 'No such order; check the order id.');

export function orderIdParam(ctx: Ctx): string {
  const id = normalizeUuid(ctx.params.id ?? '');
  if (id === null) throw orderNotFound();
  return id;
}

export function mountOrders(router: Router, deps: OrdersDeps): void {
  mountBuyerOrders(router, deps);
  mountEventOrders(router, deps);
}

/** A buyer's orders: checkout, read, refund. */
function mountBuyerOrders(router: Router, { config, db, engine, jobs, log }: OrdersDeps): void {
  const providers = providersFor(config);

  router.route('post', '/api/holds/:id/checkout', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const input = parseBody(checkoutSchema, ctx.body);
    const holdId = ctx.params.id ?? '';
    if (input.basket !== undefined && !input.basket.includes(holdId)) {
      throw new HttpError(400, 'invalid_body', 'basket must list every hold of the basket, the one in the path included', { field: 'basket' });
    }
    const named = Object.keys(input.holders ?? {}).find((id) => !(input.basket ?? [holdId]).includes(id));
    if (named !== undefined) throw new HttpError(400, 'invalid_body', `holders names a hold that is not checked out here: ${named.slice(0, 100)}`, { field: 'holders' });
    try {
      const { order, payment, created } = await checkout(
        { db, engine, config, providers, jobs, log, now: Date.now },
        {
          holdId, buyerId: claims.sub, provider: input.provider, locale: input.locale, promoCode: input.promoCode,
          ...(input.basket === undefined ? {} : { basket: input.basket }), ...(input.holders === undefined ? {} : { holderNames: input.holders }),
        },
      );
      return { status: created ? 201 : 200, body: orderView(order, payment, true, await selectOrderLines(db, order.id)) };
    } catch (error) {
      throw orderErrorToHttp(error);
    }
  }, { body: true });

  router.route('get', '/api/orders', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const orders = await selectOrdersOfBuyer(db, claims.sub, ordersListMax);
    const [payments, lines] = await Promise.all([Promise.all(orders.map((o) => selectPaymentOfOrder(db, o.id))), selectLinesOfOrders(db, orders.map((o) => o.id))]);
    return { status: 200, body: { orders: orders.map((o, i) => orderView(o, payments[i]!, true, lines.get(o.id) ?? [])) } };
  });

  router.route('get', '/api/orders/:id', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const id = orderIdParam(ctx);
    const found = await selectOrder(db, id);
    if (found === null) throw orderNotFound();
    const forBuyer = found.buyerId === claims.sub;
    if (!forBuyer) {
      // The event's organizer may look; anyone else gets "no such order", so order ids cannot be probed.
      const context = await selectOrderContext(db, id);
      if (context?.organizerId !== claims.sub) throw orderNotFound();
    }
    const order = await expireIfLapsed({ db, engine }, found);
    const [payment, manual, lines, receipt] = await Promise.all([selectPaymentOfOrder(db, id), selectManualRefund(db, id), selectOrderLines(db, id), selectReceipt(db, order)]);
    // A refund a person makes by hand (Konnect): the order stays as it is until it is recorded done.
    const manualRefund = manual === null ? null : { state: manual.state, requestedAt: manual.requestedAt.toISOString(), doneAt: manual.doneAt?.toISOString() ?? null };
    return { status: 200, body: { ...orderView(order, payment, forBuyer, lines), manualRefund, receipt } };
  });

  router.route('post', '/api/orders/:id/refund', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer');
    const id = orderIdParam(ctx);
    // The body is optional: most refunds send none; the organizer's override sends { "refundUsedTickets": true }.
    const input = parseOptionalBody(refundSchema, ctx.rawBody, ctx.headers['content-type']);
    try {
      const { order, reason } = await requestRefund({ db, jobs, now: Date.now }, id, { id: claims.sub }, input);
      const payment = await selectPaymentOfOrder(db, id);
      const view = orderView(order, payment, order.buyerId === claims.sub, await selectOrderLines(db, id));
      // 202: the refund job runs it (provider, stock, tickets, email); the order turns `refunded` when it is done.
      return { status: order.status === 'refunded' ? 200 : 202, body: { ...view, refund: { requestedBy: reason } } };
    } catch (error) {
      throw orderErrorToHttp(error);
    }
  }, { body: 'raw' });
}

/** An organizer's view of an event's orders and payout. */
function mountEventOrders(router: Router, { db }: OrdersDeps): void {
  router.route('get', '/api/events/:id/orders', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    const orders = await selectOrdersOfEvent(db, event.id, ordersListMax);
    const lines = await selectLinesOfOrders(db, orders.map((o) => o.id));
    return { status: 200, body: { orders: orders.map((o) => ({ ...orderView(o, null, false, lines.get(o.id) ?? []), buyer: { id: o.buyerId, name: o.buyerName, email: o.buyerEmail } })) } };
  });

  router.route('get', '/api/events/:id/payout', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    const eventId = event.id;
    const report = await eventPayout(db, event);
    const { format } = parseQuery(payoutQuerySchema, ctx.query);
    const wantsCsv = format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(ctx.headers.accept));
    if (wantsCsv) {
      return {
        status: 200,
        body: payoutCsv(report),
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="payout-${eventId}.csv"` },
      };
    }
    return { status: 200, body: { eventId, exponent: minorUnitExponent(report.currency), ...report } };
  });
}
