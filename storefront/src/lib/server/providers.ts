import { env } from '$env/dynamic/private';
import type { Provider } from '$lib/api';

/**
 * The payment providers this server can take, from the same environment the
 * engine reads (one process under `npm start`): simulated in development only
 * (production has no such provider, engine/src/payments/providers.ts); Stripe
 * and Clictopay when their keys are set. The Stripe Payment Element also needs the
 * publishable key in the browser.
 */
export function paymentProviders(): Provider[] {
  const list: Provider[] = env.NODE_ENV === 'production' ? [] : ['simulated'];
  if (env.STRIPE_SECRET_KEY && env.STRIPE_PUBLISHABLE_KEY) list.push('stripe');
  if (env.CLICTOPAY_USERNAME) list.push('clictopay');
  return list;
}

export function stripePublishableKey(): string | null {
  return env.STRIPE_PUBLISHABLE_KEY || null;
}
