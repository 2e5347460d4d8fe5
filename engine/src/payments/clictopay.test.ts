import { clictopayProvider } from './clictopay.ts';
import { startClictopayDouble } from '../testing/payments/clictopay_double.ts';
import { paymentProviderContract } from './payment_provider.contract.ts';

/** Clictopay against a local double of the SMT gateway's REST API. */
const returnUrl = 'http://api.test/api/payments/clictopay/return';

paymentProviderContract('clictopay', { retry: 'refused', polled: true, refunds: 'api', refusedCurrency: 'EUR' }, async () => {
  const double = await startClictopayDouble();
  const settings = { username: double.username, password: double.password, url: double.url };
  return {
    provider: clictopayProvider(settings, returnUrl),
    currency: 'TND',
    amount: 25_500,
    sessionsOpened: () => double.orders.size,
    refundsMade: () => [...double.orders.values()].filter((order) => order.refunded > 0).length,
    pay: async (session) => double.pay(session.providerRef),
    decline: async (session) => double.decline(session.providerRef),
    unreachable: async () => {
      const gone = await startClictopayDouble();
      await gone.close();
      return clictopayProvider({ ...settings, url: gone.url }, returnUrl);
    },
    close: () => double.close(),
  };
});
