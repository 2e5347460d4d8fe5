import { paymentCallTimeoutMs } from '../constants.ts';
import { PaymentUnavailable, ProviderError, type PaymentProvider, type PaymentRequest, type PaymentSession, type PaymentState } from './provider.ts';

export type ClictopaySettings = { username: string; password: string; url: string };

/** ISO 4217 numeric code of the Tunisian dinar: the only currency the gateway takes. */
export const clictopayCurrency = '788';

/**
 * Order statuses of the SMT gateway (getOrderStatusExtended.do `orderStatus`):
 * 0 registered, not paid; 1 pre-authorised; 2 paid (deposited); 3 reversed;
 * 4 refunded; 5 access control (3-D Secure) in progress; 6 declined.
 */
const paidStatuses = new Set([1, 2]);
const declinedStatuses = new Set([3, 6]);
const refundedStatus = 4;

type Answer = { errorCode?: string | number; errorMessage?: string; [field: string]: unknown };

/**
 * Clictopay, the card gateway of the Société Monétique Tunisie: register.do
 * opens an order and answers the payment page (`formUrl`) the buyer is sent
 * to; the gateway sends the buyer back to `returnUrl?orderId=...`, where we
 * ask getOrderStatusExtended.do (and a polling job asks again, since the buyer
 * may never come back); refund.do gives the money back. Amounts are millimes,
 * which is TND's minor unit already.
 */
export function clictopayProvider(settings: ClictopaySettings, returnUrl: string): PaymentProvider {
  async function call(method: string, params: Record<string, string>): Promise<Answer> {
    const body = new URLSearchParams({ userName: settings.username, password: settings.password, ...params });
    let response: Response;
    try {
      response = await fetch(`${settings.url}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(paymentCallTimeoutMs),
      });
    } catch (error) {
      throw new ProviderError(`clictopay ${method}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new ProviderError(`clictopay ${method}: HTTP ${response.status}`);
    try {
      return (await response.json()) as Answer;
    } catch {
      throw new ProviderError(`clictopay ${method}: the answer is not JSON`);
    }
  }
  const failed = (answer: Answer) => answer.errorCode !== undefined && String(answer.errorCode) !== '0';

  async function orderStatus(orderId: string): Promise<number> {
    const answer = await call('getOrderStatusExtended.do', { orderId });
    if (failed(answer)) throw new ProviderError(`clictopay getOrderStatusExtended.do: ${answer.errorCode} ${answer.errorMessage ?? ''}`.trim());
    const status = Number(answer.orderStatus);
    if (!Number.isInteger(status)) throw new ProviderError('clictopay getOrderStatusExtended.do: no orderStatus in the answer');
    return status;
  }

  return {
    name: 'clictopay',
    refusal: (_amount, currency) => (currency === 'TND' ? null : `clictopay takes Tunisian dinars (TND) only; this event sells in ${currency}. Choose another provider.`),
    async createPayment(request: PaymentRequest): Promise<PaymentSession> {
      if (request.currency !== 'TND') throw new PaymentUnavailable(`clictopay takes Tunisian dinars (TND) only; this event sells in ${request.currency}`);
      const answer = await call('register.do', {
        // Our payment id: the gateway refuses a second order with the same number, so a retry cannot open two.
        orderNumber: request.paymentId.replaceAll('-', '').slice(0, 32),
        amount: String(request.amount),
        currency: clictopayCurrency,
        returnUrl,
        failUrl: returnUrl,
        language: request.locale === 'ar' ? 'ar' : request.locale === 'fr' ? 'fr' : 'en',
        description: request.description.slice(0, 99),
      });
      if (failed(answer) || typeof answer.orderId !== 'string' || typeof answer.formUrl !== 'string') {
        throw new ProviderError(`clictopay register.do: ${answer.errorCode ?? 'no orderId'} ${answer.errorMessage ?? ''}`.trim());
      }
      return { providerRef: answer.orderId, redirectUrl: answer.formUrl, clientSecret: null };
    },
    async status(providerRef: string): Promise<PaymentState> {
      const status = await orderStatus(providerRef);
      if (paidStatuses.has(status) || status === refundedStatus) return 'paid';
      if (declinedStatuses.has(status)) return 'declined';
      return 'pending';
    },
    async refund(payment) {
      // Already refunded (a retried job): refund.do would refuse a second one, and it is done.
      if ((await orderStatus(payment.providerRef)) === refundedStatus) return { refundRef: `clictopay-refund-${payment.providerRef}` };
      const answer = await call('refund.do', { orderId: payment.providerRef, amount: String(payment.amount) });
      if (failed(answer)) throw new ProviderError(`clictopay refund.do: ${answer.errorCode} ${answer.errorMessage ?? ''}`.trim());
      return { refundRef: `clictopay-refund-${payment.providerRef}` };
    },
  };
}
