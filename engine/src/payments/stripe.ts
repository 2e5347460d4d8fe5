import Stripe from 'stripe';
import { paymentCallTimeoutMs, stripeWebhookToleranceSeconds } from '../constants.ts';
import { minorUnitExponent } from '../money/currency.ts';
import type { PaymentProvider, PaymentRequest, PaymentSession } from './provider.ts';

export type StripeSettings = { secretKey: string; webhookSecret: string; apiUrl: string | null };

/**
 * The official SDK, pointed at `apiUrl` when set (a local double in tests, a
 * mock server in development). The SDK retries network failures itself, with
 * the idempotency key we give it, so a retry never charges twice.
 */
export function stripeClient(settings: StripeSettings): Stripe {
  const config: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: paymentCallTimeoutMs };
  if (settings.apiUrl !== null) {
    const url = new URL(settings.apiUrl);
    config.host = url.hostname;
    config.port = url.port || (url.protocol === 'https:' ? 443 : 80);
    config.protocol = url.protocol === 'https:' ? 'https' : 'http';
  }
  return new Stripe(settings.secretKey, config);
}

/**
 * PaymentIntents: checkout creates one (idempotency key per payment) and the
 * browser confirms it with the client secret; Stripe then tells us through the
 * webhook (`verifyStripeWebhook`). Amounts are the currency's minor units,
 * which is what Stripe expects as well.
 */
export function stripeProvider(client: Stripe): PaymentProvider {
  return {
    name: 'stripe',
    refusal(amount, currency) {
      if (amount <= 0) return 'stripe cannot charge nothing; free tickets go through the simulated provider.';
      // Stripe's rule for three-decimal currencies (TND, KWD, ...): the last digit must be 0.
      if (minorUnitExponent(currency) === 3 && amount % 10 !== 0) return `stripe takes ${currency} amounts in multiples of 10 of its minor unit; this order is ${amount}. Choose another provider.`;
      return null;
    },
    async createPayment(request: PaymentRequest): Promise<PaymentSession> {
      const intent = await client.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          description: request.description,
          metadata: { orderId: request.orderId, paymentId: request.paymentId },
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: `tickr-pi-${request.paymentId}` },
      );
      return { providerRef: intent.id, redirectUrl: null, clientSecret: intent.client_secret };
    },
    async refund(payment) {
      const refund = await client.refunds.create({ payment_intent: payment.providerRef }, { idempotencyKey: `tickr-${payment.key}` });
      return { refundRef: refund.id };
    },
  };
}

/** What a verified webhook tells the confirmation path; null for event types Tickr does not act on. */
export type StripeNotice = { eventId: string; kind: 'succeeded' | 'failed' | 'ignored'; paymentIntentId: string | null };

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/**
 * Verifies the `Stripe-Signature` header against the raw body, as received:
 * a re-serialised body would not match. Older than 300 s is refused (replay).
 */
export function verifyStripeWebhook(client: Stripe, rawBody: Buffer | string, signature: string, secret: string): StripeNotice {
  let event: Stripe.Event;
  try {
    event = client.webhooks.constructEvent(rawBody, signature, secret, stripeWebhookToleranceSeconds);
  } catch (error) {
    throw new WebhookSignatureError((error as Error).message);
  }
  if (event.type === 'payment_intent.succeeded' || event.type === 'payment_intent.payment_failed') {
    const intent = event.data.object as Stripe.PaymentIntent;
    return { eventId: event.id, kind: event.type === 'payment_intent.succeeded' ? 'succeeded' : 'failed', paymentIntentId: intent.id };
  }
  return { eventId: event.id, kind: 'ignored', paymentIntentId: null };
}
