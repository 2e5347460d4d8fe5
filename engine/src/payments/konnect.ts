import { konnectExpiryGraceMs, konnectLifespanMinutes, paymentCallTimeoutMs } from '../constants.ts';
import {
  PaymentUnavailable, ProviderError, RefundByHand, type PaymentProvider, type PaymentRequest, type PaymentSession, type PaymentState,
} from './provider.ts';

export type KonnectSettings = { apiKey: string; walletId: string; url: string };

/** Where Konnect reaches us: the webhook (server to server) and the page the buyer comes back to. */
export type KonnectUrls = { webhookUrl: string; returnUrl: string };

/** What the buyer may pay with on Konnect's page: La Poste's e-DINAR cards, Tunisian bank cards, the Konnect wallet. */
export const konnectPaymentMethods = ['e-DINAR', 'bank_card', 'wallet'] as const;

/**
 * Payment-level statuses that end a payment without money. Konnect documents
 * `pending` and `completed`; a card refused on its page is a failed
 * transaction inside a payment that stays `pending` (the buyer may try another
 * card), so a payment is declined only when it is closed or its lifespan is over.
 */
const closedStatuses = new Set(['expired', 'failed', 'canceled', 'cancelled', 'rejected']);

type KonnectPayment = { status?: unknown; token?: unknown; amount?: unknown; expirationDate?: unknown; orderId?: unknown };

/**
 * Konnect (konnect.network): `POST /api/v2/payments/init-payment` opens a
 * payment in TND millimes (TND's minor unit already) and answers the page the
 * buyer pays on (`payUrl`) and its `paymentRef`. Konnect then calls our
 * webhook with `?payment_ref=...`, which only names the payment: we ask
 * `GET /api/v2/payments/:paymentRef` every time (the webhook, the buyer's
 * return and the polling job alike) and never take the call's word.
 * Konnect's public API offers no refunds: `refund` answers `RefundByHand`,
 * and the refund job raises the manual refund flow (orders/manual_refund.ts).
 */
export function konnectProvider(settings: KonnectSettings, urls: KonnectUrls, now: () => number = Date.now): PaymentProvider {
  async function call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const what = `konnect ${method} ${path.replace(/\/payments\/[^/]+$/, '/payments/:paymentRef')}`;
    let response: Response;
    try {
      response = await fetch(`${settings.url}/api/v2${path}`, {
        method,
        headers: { 'x-api-key': settings.apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(paymentCallTimeoutMs),
      });
    } catch (error) {
      throw new ProviderError(`${what}: ${(error as Error).message}`);
    }
    let answer: Record<string, unknown>;
    try {
      answer = (await response.json()) as Record<string, unknown>;
    } catch {
      throw new ProviderError(`${what}: HTTP ${response.status}, the answer is not JSON`);
    }
    if (!response.ok) throw new ProviderError(`${what}: HTTP ${response.status} ${errorText(answer)}`.trim());
    return answer;
  }

  return {
    name: 'konnect',
    refusal: (_amount, currency) => (currency === 'TND' ? null : `konnect takes Tunisian dinars (TND) only; this event sells in ${currency}. Choose another provider.`),
    async createPayment(request: PaymentRequest): Promise<PaymentSession> {
      if (request.currency !== 'TND') throw new PaymentUnavailable(`konnect takes Tunisian dinars (TND) only; this event sells in ${request.currency}`);
      const answer = await call('POST', '/payments/init-payment', {
        receiverWalletId: settings.walletId,
        token: 'TND',
        amount: request.amount,
        type: 'immediate',
        description: request.description.slice(0, 280),
        acceptedPaymentMethods: [...konnectPaymentMethods],
        lifespan: konnectLifespanMinutes,
        checkoutForm: false,
        addPaymentFeesToAmount: false,
        // Our payment id: what Konnect's dashboard shows beside the payment, so an operator can find it.
        orderId: request.paymentId,
        webhook: urls.webhookUrl,
        // Our own payment id on the way back: the return works whether or not Konnect adds payment_ref.
        successUrl: `${urls.returnUrl}?payment=${request.paymentId}`,
        failUrl: `${urls.returnUrl}?payment=${request.paymentId}`,
        theme: 'light',
      });
      if (typeof answer.paymentRef !== 'string' || answer.paymentRef === '' || typeof answer.payUrl !== 'string') {
        throw new ProviderError('konnect init-payment: the answer has no paymentRef and payUrl');
      }
      return { providerRef: answer.paymentRef, redirectUrl: answer.payUrl, clientSecret: null };
    },
    async status(providerRef: string): Promise<PaymentState> {
      const answer = await call('GET', `/payments/${encodeURIComponent(providerRef)}`);
      const payment = answer.payment as KonnectPayment | undefined;
      if (payment === undefined || payment === null || typeof payment.status !== 'string') throw new ProviderError('konnect GET payment: no payment status in the answer');
      if (payment.token !== undefined && payment.token !== 'TND') throw new ProviderError(`konnect GET payment: payment ${providerRef} is in ${String(payment.token)}, not TND`);
      if (payment.status === 'completed') return 'paid';
      if (closedStatuses.has(payment.status)) return 'declined';
      const expires = typeof payment.expirationDate === 'string' ? Date.parse(payment.expirationDate) : Number.NaN;
      // Past its lifespan Konnect takes no more money for it: the buyer can no longer pay this payment.
      if (!Number.isNaN(expires) && expires + konnectExpiryGraceMs < now()) return 'declined';
      return 'pending';
    },
    async refund(payment) {
      throw new RefundByHand(`konnect's API has no refunds: give ${payment.amount} millimes (TND) of payment ${payment.providerRef} back from the Konnect dashboard`);
    },
  };
}

function errorText(answer: Record<string, unknown>): string {
  const errors = answer.errors;
  if (Array.isArray(errors)) return errors.map((e) => (typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e))).join('; ');
  return typeof answer.message === 'string' ? answer.message : '';
}
