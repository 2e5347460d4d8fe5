import type { Config } from '../config.ts';
import { clictopayProvider } from './clictopay.ts';
import { konnectProvider } from './konnect.ts';
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

/**
 * The providers the configuration enables, built once per configuration.
 * `simulated` moves no money, so it exists in development only: in production
 * a buyer who asked for it would get real tickets for nothing.
 */
export function providersFor(config: Config): Providers {
  let providers = cache.get(config);
  if (providers !== undefined) return providers;
  const stripe = config.stripe === null ? null : stripeClient(config.stripe);
  const byName = new Map<PaymentProviderName, PaymentProvider>();
  if (!config.production) byName.set('simulated', simulatedProvider(config.publicUrl));
  if (stripe !== null) byName.set('stripe', stripeProvider(stripe));
  if (config.clictopay !== null) byName.set('clictopay', clictopayProvider(config.clictopay, `${config.apiPublicUrl}/api/payments/clictopay/return`));
  if (config.konnect !== null) {
    byName.set('konnect', konnectProvider(config.konnect, {
      webhookUrl: `${config.apiPublicUrl}/api/payments/konnect/webhook`, returnUrl: `${config.apiPublicUrl}/api/payments/konnect/return`,
    }));
  }
  providers = {
    get(name) {
      const provider = byName.get(name);
      if (provider === undefined) throw new PaymentUnavailable(unavailable(name, [...byName.keys()]));
      return provider;
    },
    stripe,
    configured: [...byName.keys()],
  };
  cache.set(config, providers);
  return providers;
}

function unavailable(name: PaymentProviderName, configured: PaymentProviderName[]): string {
  if (configured.length === 0) return `payment provider "${name}" is not available: this server has no payment provider configured yet`;
  return `payment provider "${name}" is not available on this server; use ${configured.length > 1 ? 'one of ' : ''}${configured.join(', ')}`;
}
