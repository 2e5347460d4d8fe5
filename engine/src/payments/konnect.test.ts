import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { konnectProvider } from './konnect.ts';
import { paymentProviderContract } from './payment_provider.contract.ts';
import { startKonnectDouble, type KonnectDouble } from '../testing/payments/konnect_double.ts';
import { PaymentUnavailable, ProviderError, type PaymentRequest } from './provider.ts';

/** The Konnect provider against a local double of its v2 payment API: the contract every provider keeps, then what is Konnect's own. */

paymentProviderContract('konnect', { retry: 'second session', polled: true, refunds: 'by hand', refusedCurrency: 'EUR' }, async () => {
  const konnect = await startKonnectDouble();
  const settings = { apiKey: konnect.apiKey, walletId: konnect.walletId, url: konnect.url };
  return {
    provider: konnectProvider(settings, urls),
    currency: 'TND',
    amount: 25_500,
    sessionsOpened: () => konnect.payments.size,
    refundsMade: () => 0,
    pay: (session) => konnect.complete(session.providerRef, { notify: false }),
    decline: async (session) => konnect.expire(session.providerRef),
    unreachable: async () => {
      const gone = await startKonnectDouble();
      await gone.close();
      return konnectProvider({ ...settings, url: gone.url }, urls);
    },
    close: () => konnect.close(),
  };
});

let double: KonnectDouble;
const urls = { webhookUrl: 'http://api.test/api/payments/konnect/webhook', returnUrl: 'http://api.test/api/payments/konnect/return' };
const request = (over: Partial<PaymentRequest> = {}): PaymentRequest => ({
  orderId: 'b3f1c2a4-0000-4000-8000-000000000001', paymentId: 'b3f1c2a4-0000-4000-8000-0000000000aa', amount: 25_500, currency: 'TND',
  description: 'Tickr order', locale: 'fr', ...over,
});

beforeAll(async () => {
  double = await startKonnectDouble();
});

afterAll(async () => {
  await double?.close();
});

describe('konnect provider', () => {
  it('opens a payment in TND millimes with the e-DINAR, card and wallet methods and our payment id as orderId', async () => {
    const provider = konnectProvider({ apiKey: double.apiKey, walletId: double.walletId, url: double.url }, urls);
    const session = await provider.createPayment(request());
    expect(session.redirectUrl).toBe(`${double.url}/pay/${session.providerRef}`);
    const call = double.calls.find((c) => c.path === '/api/v2/payments/init-payment')!;
    expect(call.body).toMatchObject({
      receiverWalletId: double.walletId, amount: 25_500, token: 'TND', type: 'immediate', acceptedPaymentMethods: ['e-DINAR', 'bank_card', 'wallet'],
      orderId: request().paymentId, webhook: urls.webhookUrl, successUrl: `${urls.returnUrl}?payment=${request().paymentId}`,
    });
    expect(double.payments.get(session.providerRef)).toMatchObject({ amount: 25_500, token: 'TND', status: 'pending' });
  });

  it('reads pending, then paid once Konnect says completed', async () => {
    const provider = konnectProvider({ apiKey: double.apiKey, walletId: double.walletId, url: double.url }, urls);
    const { providerRef } = await provider.createPayment(request({ paymentId: 'b3f1c2a4-0000-4000-8000-0000000000ab' }));
    expect(await provider.status!(providerRef)).toBe('pending');
    await double.complete(providerRef, { notify: false });
    expect(await provider.status!(providerRef)).toBe('paid');
  });

  it('keeps a refused card pending (the buyer may try another) and declines a payment past its lifespan', async () => {
    const provider = konnectProvider({ apiKey: double.apiKey, walletId: double.walletId, url: double.url }, urls);
    const { providerRef } = await provider.createPayment(request({ paymentId: 'b3f1c2a4-0000-4000-8000-0000000000ac' }));
    double.fail(providerRef);
    expect(await provider.status!(providerRef)).toBe('pending');
    double.expire(providerRef);
    expect(await provider.status!(providerRef)).toBe('declined');
  });

  it('refuses another currency before calling Konnect, and reports a wrong key or an unknown payment as provider errors', async () => {
    const provider = konnectProvider({ apiKey: double.apiKey, walletId: double.walletId, url: double.url }, urls);
    expect(provider.refusal!(1_000, 'EUR')).toMatch(/TND/);
    expect(provider.refusal!(1_000, 'TND')).toBeNull();
    await expect(provider.createPayment(request({ currency: 'EUR' }))).rejects.toBeInstanceOf(PaymentUnavailable);
    const wrong = konnectProvider({ apiKey: 'nope', walletId: double.walletId, url: double.url }, urls);
    await expect(wrong.createPayment(request())).rejects.toThrow(/HTTP 401 Unauthorized/);
    await expect(provider.status!('ffffffffffffffffffffffff')).rejects.toBeInstanceOf(ProviderError);
    const wrongWallet = konnectProvider({ apiKey: double.apiKey, walletId: 'someone-else', url: double.url }, urls);
    await expect(wrongWallet.createPayment(request())).rejects.toThrow(/receiverWalletId/);
  });

  it('serves a pay page whose Pay button completes the payment, calls the webhook with payment_ref and sends the buyer back', async () => {
    const hooks: string[] = [];
    const listener = createServer((req, res) => {
      hooks.push(req.url ?? '');
      res.end('{}');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      const provider = konnectProvider({ apiKey: double.apiKey, walletId: double.walletId, url: double.url }, { webhookUrl: `${at}/hook`, returnUrl: `${at}/back` });
      const { providerRef, redirectUrl } = await provider.createPayment(request({ paymentId: 'b3f1c2a4-0000-4000-8000-0000000000ad' }));
      const page = await fetch(redirectUrl!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('25.500 TND');
      const paid = await fetch(`${redirectUrl}/pay`, { method: 'POST', redirect: 'manual' });
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(`${at}/back?payment=b3f1c2a4-0000-4000-8000-0000000000ad&payment_ref=${providerRef}`);
      expect(hooks).toEqual([`/hook?payment_ref=${providerRef}`]);
      expect(await provider.status!(providerRef)).toBe('paid');
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });
});
