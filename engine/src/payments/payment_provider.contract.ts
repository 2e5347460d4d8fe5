import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PaymentUnavailable, ProviderError, RefundByHand, type PaymentProvider, type PaymentRequest, type PaymentSession } from './provider.ts';

/**
 * A provider and the local double of its API, as one contract test needs them.
 * `make` gives a fresh one per test; `close` ends the double.
 */
export type ProviderHarness = {
  provider: PaymentProvider;
  /** A currency and an amount (minor units) the provider takes. */
  currency: string;
  amount: number;
  /** Payments the double has opened so far: charges that could happen. */
  sessionsOpened(): number;
  /** Refunds the double has made so far. */
  refundsMade(): number;
  /** Plays the buyer on the provider's page: pays, or has the payment declined. Absent for providers that are not asked (`status`). */
  pay?(session: PaymentSession): Promise<void>;
  decline?(session: PaymentSession): Promise<void>;
  /** The same provider pointed at a double that no longer answers. Absent: nothing to reach (simulated). */
  unreachable?(): Promise<PaymentProvider>;
  close(): Promise<void>;
};

export type ProviderTraits = {
  /**
   * What a second createPayment for the same payment does: answer the same
   * session, be refused by the gateway (a ProviderError; no second order), or
   * (Konnect, whose API takes no idempotency key) open a second payment. The
   * last is declared, not hidden: checkout calls createPayment only while the
   * payment has no session, but two checkouts at the same instant are not
   * serialised before the call (README, Payment providers).
   */
  retry: 'same session' | 'refused' | 'second session';
  /** Redirect providers are asked where a payment stands (`status`); webhook and pay-page providers are not. */
  polled: boolean;
  /** Refunds through the API, or by hand (Konnect: `RefundByHand`). */
  refunds: 'api' | 'by hand';
  /** A currency the provider cannot take, if any: refused before any call. */
  refusedCurrency?: string;
};

function request(harness: ProviderHarness, over: Partial<PaymentRequest> = {}): PaymentRequest {
  return { orderId: randomUUID(), paymentId: randomUUID(), amount: harness.amount, currency: harness.currency, description: 'Tickr order (contract)', locale: 'fr', ...over };
}

/** Runs one test with a fresh harness, and closes its double whatever the test did. */
type WithHarness = (test: (harness: ProviderHarness) => Promise<void>) => Promise<void>;

/**
 * The contract every PaymentProvider keeps (provider.ts), run against each
 * provider with its double, as leases/lease_store.contract.ts is for the lease
 * stores. What differs between providers is declared in `traits`, so a
 * difference is a stated fact of that provider, checked, not a test left out.
 */
export function paymentProviderContract(name: string, traits: ProviderTraits, make: () => Promise<ProviderHarness>) {
  async function withHarness(test: (harness: ProviderHarness) => Promise<void>): Promise<void> {
    const harness = await make();
    try {
      await test(harness);
    } finally {
      await harness.close();
    }
  }

  describe(`PaymentProvider contract: ${name}`, () => {
    sessionTests(name, traits, withHarness);
    statusTests(traits, withHarness);
    refundTests(traits, withHarness);
    unreachableTest(name, withHarness);
  });
}

/** Opening a payment: its own currency, a retry as declared, a currency it cannot take. */
function sessionTests(name: string, traits: ProviderTraits, withHarness: WithHarness): void {
  it('takes its own currency, and opens a session the buyer can pay with', () => withHarness(async (h) => {
    expect(h.provider.name).toBe(name);
    expect(h.provider.refusal?.(h.amount, h.currency) ?? null).toBeNull();
    const session = await h.provider.createPayment(request(h));
    expect(session.providerRef).toMatch(/\S/);
    // Somewhere to pay: a page to send the buyer to, or a secret for the browser to pay in place.
    expect(session.redirectUrl !== null || session.clientSecret !== null).toBe(true);
    expect(h.sessionsOpened()).toBe(1);
  }));

  it(`answers a retried payment as declared (${traits.retry})`, () => withHarness(async (h) => {
    const payment = request(h);
    const first = await h.provider.createPayment(payment);
    const again = h.provider.createPayment(payment);
    if (traits.retry === 'same session') {
      expect(await again).toEqual(first);
      expect(h.sessionsOpened()).toBe(1);
    } else if (traits.retry === 'refused') {
      await expect(again).rejects.toBeInstanceOf(ProviderError);
      expect(h.sessionsOpened()).toBe(1);
    } else {
      expect((await again).providerRef).not.toBe(first.providerRef);
      expect(h.sessionsOpened()).toBe(2);
    }
  }));

  it.skipIf(traits.refusedCurrency === undefined)('refuses a currency it cannot take, with a sentence, and opens nothing for it', () => withHarness(async (h) => {
    const currency = traits.refusedCurrency!;
    expect(h.provider.refusal!(h.amount, currency)).toMatch(new RegExp(currency));
    await expect(h.provider.createPayment(request(h, { currency }))).rejects.toBeInstanceOf(PaymentUnavailable);
    expect(h.sessionsOpened()).toBe(0);
  }));
}

/** Where a payment stands: asked of redirect providers, told by the others. */
function statusTests(traits: ProviderTraits, withHarness: WithHarness): void {
  it.skipIf(!traits.polled)('says pending, then paid once the buyer pays', () => withHarness(async (h) => {
    const session = await h.provider.createPayment(request(h));
    expect(await h.provider.status!(session.providerRef)).toBe('pending');
    await h.pay!(session);
    expect(await h.provider.status!(session.providerRef)).toBe('paid');
  }));

  it.skipIf(!traits.polled)('says declined once the payment cannot be paid any more', () => withHarness(async (h) => {
    const session = await h.provider.createPayment(request(h));
    await h.decline!(session);
    expect(await h.provider.status!(session.providerRef)).toBe('declined');
  }));

  it.skipIf(traits.polled)('is not asked where a payment stands: it tells (webhook or pay page)', () => withHarness(async (h) => {
    expect(h.provider.status).toBeUndefined();
  }));
}

function refundTests(traits: ProviderTraits, withHarness: WithHarness): void {
  it.skipIf(traits.refunds !== 'api')('refunds a paid payment once per key, however often asked', () => withHarness(async (h) => {
    const session = await h.provider.createPayment(request(h));
    await h.pay?.(session);
    const refund = { providerRef: session.providerRef, amount: h.amount, currency: h.currency, key: `refund-${randomUUID()}` };
    const first = await h.provider.refund(refund);
    expect(first.refundRef).toMatch(/\S/);
    expect(await h.provider.refund(refund)).toEqual(first);
    expect(h.refundsMade()).toBe(1);
  }));

  it.skipIf(traits.refunds !== 'by hand')('asks for a refund by hand, saying how much and which payment', () => withHarness(async (h) => {
    const session = await h.provider.createPayment(request(h));
    await h.pay?.(session);
    const refund = h.provider.refund({ providerRef: session.providerRef, amount: h.amount, currency: h.currency, key: 'k' });
    await expect(refund).rejects.toBeInstanceOf(RefundByHand);
    await expect(refund).rejects.toThrow(session.providerRef);
    expect(h.refundsMade()).toBe(0);
  }));
}

function unreachableTest(name: string, withHarness: WithHarness): void {
  it('reports an unreachable provider as a ProviderError (checkout answers 502 and a job retries)', () => withHarness(async (h) => {
    if (h.unreachable === undefined) {
      // Nothing to reach: the simulated provider answers from this process.
      expect(name).toBe('simulated');
      return;
    }
    const provider = await h.unreachable();
    await expect(provider.createPayment(request(h))).rejects.toBeInstanceOf(ProviderError);
  }));
}
