import Stripe from 'stripe';
import { paymentCallTimeoutMs, stripeWebhookToleranceSeconds } from '../constants.ts';
import { minorUnitExponent } from '../money/currency.ts';
import { ProviderError, type PaymentProvider, type PaymentRequest, type PaymentSession } from './provider.ts';

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
      const intent = await providerCall('paymentIntents.create', () => client.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          description: request.description,
          metadata: { orderId: request.orderId, paymentId: request.paymentId },
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: `tickr-pi-${request.paymentId}` },
      ));
      return { providerRef: intent.id, redirectUrl: null, clientSecret: intent.client_secret };
    },
    async refund(payment) {
      const refund = await providerCall('refunds.create', () => client.refunds.create({ payment_intent: payment.providerRef }, { idempotencyKey: `tickr-${payment.key}` }));
      return { refundRef: refund.id };
    },
  };
}

/**
 * Stripe unreachable, or answering with an error: a ProviderError, which
 * checkout answers 502 `provider_error` (the hold stays free for another
 * provider) and a job retries. Anything else is a bug and stays as it is.
 */
async function providerCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) throw new ProviderError(`stripe ${what}: ${error.type}: ${error.message}`);
    throw error;
  }
}

/** What a verified webhook tells the confirmation path; null for event types Tickr does not act on. */
export type StripeNotice = { eventId: string; kind: 'succeeded' | 'failed' | 'ignored'; paymentIntentId: string | null };

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/**
 * Verifies the `Stripe-Signature` header against the raw body, as received:
 * a re-serialised body would not match. Older than 300 s is refused (replay),
 * and so is a timestamp more than 300 s ahead of our clock: the SDK only looks
 * at age, and a future one would stay replayable for as long as it is ahead.
 */
export function verifyStripeWebhook(client: Stripe, rawBody: Buffer | string, signature: string, secret: string, now: () => number = Date.now): StripeNotice {
  const timestamp = /(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(signature);
  if (timestamp !== null && Number(timestamp[1]) > Math.floor(now() / 1000) + stripeWebhookToleranceSeconds) {
    throw new WebhookSignatureError(`the timestamp is more than ${stripeWebhookToleranceSeconds} s in the future; check the sender's clock`);
  }
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
