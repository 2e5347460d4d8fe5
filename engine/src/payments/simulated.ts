import type { PaymentProvider, PaymentRequest, PaymentSession } from './provider.ts';

/**
 * The default provider, for demos and the bench: no money moves. The buyer is
 * sent to the storefront's pay page, which shows the session
 * (`GET /api/payments/simulated/:session`) and posts pay or decline
 * (`POST /api/payments/simulated/:session`). That post goes through the same
 * confirmation path as a Stripe webhook.
 */
export function simulatedProvider(publicUrl: string): PaymentProvider {
  return {
    name: 'simulated',
    async createPayment(request: PaymentRequest): Promise<PaymentSession> {
      // Derived from the payment, so a retried checkout opens the same session.
      const session = `sim_${request.paymentId.replaceAll('-', '')}`;
      return { providerRef: session, redirectUrl: `${publicUrl}/pay/simulated/${session}`, clientSecret: null };
    },
    async refund(payment) {
      return { refundRef: `simref_${payment.key}` };
    },
  };
}
