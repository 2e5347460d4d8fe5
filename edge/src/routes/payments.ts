import type { Config } from '../../../engine/src/config.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import type { Jobs } from '../../../engine/src/jobs/queues.ts';
import type { Logger } from '../../../engine/src/log.ts';
import { buyerPaid, paymentFailed, paymentSucceeded } from '../../../engine/src/orders/payment_events.ts';
import { confirmFromProviderState } from '../../../engine/src/orders/payment_poll_job.ts';
import { selectPayment, selectPaymentByRef, selectPaymentSession, type PaymentRow } from '../../../engine/src/orders/payments_db.ts';
import { providersFor } from '../../../engine/src/payments/providers.ts';
import { verifyStripeWebhook, WebhookSignatureError } from '../../../engine/src/payments/stripe.ts';
import { requireRole } from '../auth/guard.ts';
import { HttpError } from '../http/errors.ts';
import type { Ctx, Router } from '../http/route.ts';
import { clictopayReturnQuerySchema, konnectReturnQuerySchema, konnectWebhookQuerySchema, parseBody, parseQuery, simulatedPaymentSchema } from '../validation.ts';

export type PaymentsDeps = { config: Config; db: Db; engine: Engine; jobs: Jobs; log: Logger };

const sessionNotFound = () => new HttpError(404, 'payment_not_found', 'No such payment session; start the checkout again from your hold.');

/**
 * How providers reach us. Every path ends in orders/payment_events.ts, the
 * one confirmation path: a success marks the payment succeeded, once, and
 * the sweeper (orders/payment_sweep.ts) turns it into tickets.
 */
export function mountPayments(router: Router, { config, db, engine, jobs, log }: PaymentsDeps): void {
  const providers = providersFor(config);
  // The simulated pay page moves no money: in production its routes do not exist (404), like its provider.
  if (!config.production) mountSimulatedPayments(router, { config, db, engine, jobs, log });

  // Stripe: verified on the raw bytes, deduplicated by event id (provider_events).
  router.route('post', '/api/webhooks/stripe', async (ctx) => {
    if (providers.stripe === null || config.stripe === null) throw new HttpError(404, 'provider_unavailable', 'Stripe is not configured on this server.');
    const signature = ctx.headers['stripe-signature'];
    if (signature === '') throw new HttpError(400, 'invalid_signature', 'Send the Stripe-Signature header that Stripe computed over this body.');
    let notice;
    try {
      notice = verifyStripeWebhook(providers.stripe, ctx.rawBody ?? Buffer.alloc(0), signature, config.stripe.webhookSecret);
    } catch (error) {
      if (error instanceof WebhookSignatureError) throw new HttpError(400, 'invalid_signature', `The webhook signature does not verify: ${error.message}`);
      throw error;
    }
    if (notice.kind === 'ignored' || notice.paymentIntentId === null) return { status: 200, body: { received: true, result: 'ignored' } };
    const base = { provider: 'stripe', noticeId: notice.eventId, providerRef: notice.paymentIntentId };
    const result = notice.kind === 'succeeded'
      ? await paymentSucceeded(db, base)
      : await paymentFailed({ db, engine, log }, { ...base, final: false, reason: 'card declined' });
    // An unknown PaymentIntent (another integration on the account) is answered 200, or Stripe would retry it for days.
    if (result === 'unknown_payment') log('warn', `stripe webhook ${notice.eventId}: no payment for ${notice.paymentIntentId}`);
    return { status: 200, body: { received: true, result } };
  }, { body: 'raw' });

  // Clictopay sends the buyer back here with its orderId; we ask the gateway, never trust the redirect itself.
  router.route('get', '/api/payments/clictopay/return', async (ctx) => {
    const ref = parseQuery(clictopayReturnQuerySchema, ctx.query).orderId;
    const payment = await selectPaymentByRef(db, 'clictopay', ref);
    if (payment === null) throw sessionNotFound();
    if (!providers.configured.includes('clictopay')) throw new HttpError(404, 'provider_unavailable', 'Clictopay is not configured on this server.');
    const provider = providers.get('clictopay');
    try {
      const state = await provider.status!(ref);
      if (state !== 'pending') await confirmFromProviderState({ db, engine, jobs, log }, 'clictopay', ref, state);
    } catch (error) {
      // The polling job asks again: the buyer still lands on their order page.
      log('warn', `clictopay return for ${ref}: ${(error as Error).message}`);
    }
    return { status: 303, body: '', headers: { location: `${config.publicUrl}/orders/${payment.orderId}` } };
  });

  mountKonnect(router, { config, db, engine, jobs, log });
}

/**
 * Konnect's webhook (GET `?payment_ref=`) and the buyer's return only name a
 * payment: both ask Konnect's API where it stands and feed the answer into the
 * one confirmation path, as Clictopay's return does. A forged call for an
 * unpaid payment finds it pending and changes nothing; a repeated one is a
 * duplicate notice.
 */
function mountKonnect(router: Router, { config, db, engine, jobs, log }: PaymentsDeps): void {
  const providers = providersFor(config);
  /** Asks Konnect; answers the state, or null when Konnect could not be asked (the polling job asks again). */
  async function askKonnect(payment: PaymentRow, via: string): Promise<string | null> {
    if (!providers.configured.includes('konnect')) throw new HttpError(404, 'provider_unavailable', 'Konnect is not configured on this server.');
    const ref = payment.providerRef!;
    try {
      const state = await providers.get('konnect').status!(ref);
      if (state !== 'pending') await confirmFromProviderState({ db, engine, jobs, log }, 'konnect', ref, state);
      return state;
    } catch (error) {
      log('warn', `konnect ${via} for ${ref}: ${(error as Error).message}`);
      return null;
    }
  }

  router.route('get', '/api/payments/konnect/webhook', async (ctx) => {
    const ref = parseQuery(konnectWebhookQuerySchema, ctx.query).payment_ref;
    const payment = await selectPaymentByRef(db, 'konnect', ref);
    if (payment === null) throw sessionNotFound();
    const state = await askKonnect(payment, 'webhook');
    // 200 even when Konnect could not be asked: the polling job asks again, a retried webhook would add nothing.
    return { status: 200, body: { received: true, state: state ?? 'unknown' } };
  });

  // Where Konnect sends the buyer back (successUrl and failUrl): `payment` is our payment id, which we put there ourselves.
  router.route('get', '/api/payments/konnect/return', async (ctx) => {
    const id = parseQuery(konnectReturnQuerySchema, ctx.query).payment;
    const payment = await selectPayment(db, id);
    if (payment === null || payment.provider !== 'konnect' || payment.providerRef === null) throw sessionNotFound();
    await askKonnect(payment, 'return');
    return { status: 303, body: '', headers: { location: `${config.publicUrl}/orders/${payment.orderId}` } };
  });
}

/** The storefront's simulated pay page (development only): what a provider's webhook would say, through the same path. */
function mountSimulatedPayments(router: Router, { db, engine, log }: PaymentsDeps): void {
  /** The simulated session of the signed-in buyer; someone else's answers like a missing one. */
  async function simulatedSession(ctx: Ctx) {
    const claims = requireRole(ctx, 'participant');
    const session = ctx.params.session ?? '';
    if (!/^sim_[0-9a-f]{32}$/.test(session)) throw sessionNotFound();
    const found = await selectPaymentSession(db, 'simulated', session);
    if (found === null || found.buyerId !== claims.sub) throw sessionNotFound();
    return { session, ...found };
  }

  // What the storefront's pay page shows.
  router.route('get', '/api/payments/simulated/:session', async (ctx) => {
    const { session, orderId, amount, currency, paymentStatus, orderStatus } = await simulatedSession(ctx);
    return { status: 200, body: { session, orderId, amount, currency, status: paymentStatus, orderStatus } };
  });

  // The pay page's buttons: what a provider's webhook would say, through the same path.
  router.route('post', '/api/payments/simulated/:session', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const session = ctx.params.session ?? '';
    if (!/^sim_[0-9a-f]{32}$/.test(session)) throw sessionNotFound();
    const { outcome } = parseBody(simulatedPaymentSchema, ctx.body);
    if (outcome === 'pay') {
      // One notice per outcome: pressing pay twice confirms once. One statement reads, checks the buyer and confirms.
      const paid = await buyerPaid(db, { provider: 'simulated', noticeId: `${session}:pay`, providerRef: session }, claims.sub);
      if (paid === null) throw sessionNotFound();
      return { status: 200, body: { session, orderId: paid.orderId, status: paid.status, result: paid.result } };
    }
    const { orderId, paymentStatus } = await simulatedSession(ctx);
    const notice = { provider: 'simulated', noticeId: `${session}:${outcome}`, providerRef: session };
    const result = await paymentFailed({ db, engine, log }, { ...notice, final: true, reason: 'declined on the simulated payment page' });
    // Applied: the payment failed; otherwise it is read again (a duplicate press, a payment that moved on).
    const status = result === 'applied' ? 'failed' : (await selectPaymentByRef(db, 'simulated', session))?.status ?? paymentStatus;
    return { status: 200, body: { session, orderId, status, result } };
  }, { body: true });
}
