/**
 * One interface for every way a buyer pays. A provider opens a session for an
 * order and refunds a payment; it never changes an order itself. What it
 * learns (a webhook, a return, a poll) goes through the one confirmation path,
 * `orders/payment_events.ts`, so simulated, Stripe, Clictopay and Konnect
 * payments become tickets (or refunds) the same way.
 */
export const paymentProviderNames = ['simulated', 'stripe', 'clictopay', 'konnect'] as const;
export type PaymentProviderName = (typeof paymentProviderNames)[number];

export type PaymentRequest = {
  orderId: string;
  paymentId: string;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  description: string;
  locale: string;
};

export type PaymentSession = {
  /** The provider's id of the payment (PaymentIntent id, Clictopay orderId, simulated session). */
  providerRef: string;
  /** Where the buyer goes to pay, for redirect providers. */
  redirectUrl: string | null;
  /** What the browser needs to pay in place (Stripe's client secret). */
  clientSecret: string | null;
};

/** What a provider says of a payment when asked (redirect providers). */
export type PaymentState = 'paid' | 'declined' | 'pending';

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** Why it cannot take this amount, or null when it can; asked before an order is written (absent: it takes anything). */
  refusal?(amount: number, currency: string): string | null;
  /** Idempotent per payment: a retry opens no second session (and never charges twice). */
  createPayment(request: PaymentRequest): Promise<PaymentSession>;
  /** Gives the whole amount back. Idempotent per `key`. Throws `RefundByHand` when the provider's API cannot (Konnect). */
  refund(payment: { providerRef: string; amount: number; currency: string; key: string }): Promise<{ refundRef: string }>;
  /** Asks the provider where a payment stands; providers that push webhooks need not. */
  status?(providerRef: string): Promise<PaymentState>;
}

/** The provider is not configured, or cannot take this payment (e.g. Clictopay takes TND only). */
export class PaymentUnavailable extends Error {
  override name = 'PaymentUnavailable';
}

/** The provider answered with an error: the call may be retried (a job retries it). */
export class ProviderError extends Error {
  override name = 'ProviderError';
}

/**
 * The provider's API cannot give money back (Konnect): a person must, from the
 * provider's dashboard. Not a failure to retry: the refund job records a manual
 * refund and an operator alert instead (orders/manual_refund.ts).
 */
export class RefundByHand extends Error {
  override name = 'RefundByHand';
}
