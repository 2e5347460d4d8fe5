import { paymentProviderContract } from './payment_provider.contract.ts';
import { stripeClient, stripeProvider } from './stripe.ts';
import { startStripeDouble } from '../testing/payments/stripe_double.ts';

/** Stripe through the official SDK, pointed at a local double of the two calls Tickr makes. */
const settings = (apiUrl: string) => ({ secretKey: 'sk_test_tickr', webhookSecret: 'whsec_tickr', apiUrl });

paymentProviderContract('stripe', { retry: 'same session', polled: false, refunds: 'api' }, async () => {
  const double = await startStripeDouble();
  return {
    provider: stripeProvider(stripeClient(settings(double.url))),
    currency: 'EUR',
    amount: 4_200,
    sessionsOpened: () => double.intents.length,
    refundsMade: () => double.refunds.length,
    unreachable: async () => {
      const gone = await startStripeDouble();
      await gone.close();
      return stripeProvider(stripeClient(settings(gone.url)));
    },
    close: () => double.close(),
  };
});
