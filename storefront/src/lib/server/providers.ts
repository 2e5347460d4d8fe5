import { env } from '$env/dynamic/private';
import type { Provider } from '$lib/api';
import { offeredFor } from '$lib/provider_choice';

/**
 * The payment providers this server can take, from the same environment the
 * engine reads (one process under `npm start`): simulated in development only
 * (production has no such provider, engine/src/payments/providers.ts); Stripe
 * Clictopay and Konnect when their keys are set. The Stripe Payment Element also needs the
 * publishable key in the browser.
 */
export function paymentProviders(): Provider[] {
  const list: Provider[] = env.NODE_ENV === 'production' ? [] : ['simulated'];
  if (env.STRIPE_SECRET_KEY && env.STRIPE_PUBLISHABLE_KEY) list.push('stripe');
  if (env.CLICTOPAY_USERNAME) list.push('clictopay');
  // Both, as the engine requires (engine/src/config.ts): a key without a wallet is no provider.
  if (env.KONNECT_API_KEY && env.KONNECT_WALLET_ID) list.push('konnect');
  return list;
}

/** The providers a buyer may choose for a hold in `currency`. */
export function paymentProvidersFor(currency: string): Provider[] {
  return offeredFor(paymentProviders(), currency);
}

export function stripePublishableKey(): string | null {
  return env.STRIPE_PUBLISHABLE_KEY || null;
}
