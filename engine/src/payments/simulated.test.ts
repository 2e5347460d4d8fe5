import { paymentProviderContract } from './payment_provider.contract.ts';
import type { PaymentProvider } from './provider.ts';
import { simulatedProvider } from './simulated.ts';

/**
 * The simulated provider has no API to stand in for: its pay page is the
 * storefront's. The harness counts what it hands out instead.
 */
paymentProviderContract('simulated', { retry: 'same session', polled: false, refunds: 'api' }, async () => {
  const inner = simulatedProvider('http://storefront.test');
  const sessions = new Set<string>();
  const refunds = new Set<string>();
  const provider: PaymentProvider = {
    name: inner.name,
    createPayment: async (request) => {
      const session = await inner.createPayment(request);
      sessions.add(session.providerRef);
      return session;
    },
    refund: async (payment) => {
      const refund = await inner.refund(payment);
      refunds.add(refund.refundRef);
      return refund;
    },
  };
  return { provider, currency: 'EUR', amount: 4_200, sessionsOpened: () => sessions.size, refundsMade: () => refunds.size, close: async () => {} };
});
