import type { Config } from '../config.ts';
import { clictopayProvider } from './clictopay.ts';
import { PaymentUnavailable, type PaymentProvider, type PaymentProviderName } from './provider.ts';
import { simulatedProvider } from './simulated.ts';
import { stripeClient, stripeProvider } from './stripe.ts';

export type Providers = {
  get(name: PaymentProviderName): PaymentProvider;
  /** The Stripe SDK client, for webhook verification; null when Stripe is not configured. */
  stripe: ReturnType<typeof stripeClient> | null;
  configured: PaymentProviderName[];
};

const cache = new WeakMap<Config, Providers>();

/** The providers the configuration enables, built once per configuration. `simulated` is always there. */
export function providersFor(config: Config): Providers {
  let providers = cache.get(config);
  if (providers !== undefined) return providers;
  const stripe = config.stripe === null ? null : stripeClient(config.stripe);
  const byName = new Map<PaymentProviderName, PaymentProvider>([['simulated', simulatedProvider(config.publicUrl)]]);
  if (stripe !== null) byName.set('stripe', stripeProvider(stripe));
  if (config.clictopay !== null) byName.set('clictopay', clictopayProvider(config.clictopay, `${config.apiPublicUrl}/api/payments/clictopay/return`));
  providers = {
    get(name) {
      const provider = byName.get(name);
      if (provider === undefined) throw new PaymentUnavailable(`payment provider "${name}" is not configured on this server; use one of ${[...byName.keys()].join(', ')}`);
      return provider;
    },
    stripe,
    configured: [...byName.keys()],
  };
  cache.set(config, providers);
  return providers;
}
