import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the two Stripe API calls Tickr makes (create a
 * PaymentIntent, create a Refund), honouring `Idempotency-Key` as Stripe does:
 * the same key answers the first response again. The real API is out of reach
 * in tests; the official SDK is pointed here through its host/port/protocol.
 */
export type StripeDouble = {
  url: string;
  /** PaymentIntents created (a repeat of the same idempotency key is not counted): charges that could happen. */
  intents: { id: string; amount: number; currency: string; metadata: Record<string, string> }[];
  refunds: { id: string; paymentIntent: string }[];
  requests: number;
  close(): Promise<void>;
};

export async function startStripeDouble(): Promise<StripeDouble> {
  const byKey = new Map<string, string>();
  const double: Omit<StripeDouble, 'url' | 'close'> = { intents: [], refunds: [], requests: 0 };
  const answer = (path: string, form: URLSearchParams): Record<string, unknown> => {
    if (path === '/v1/payment_intents') {
      const id = `pi_${double.intents.length + 1}_${Math.random().toString(36).slice(2, 10)}`;
      const metadata: Record<string, string> = {};
      for (const [k, v] of form) {
        const m = /^metadata\[(.+)\]$/.exec(k);
        if (m) metadata[m[1]!] = v;
      }
      const intent = { id, amount: Number(form.get('amount')), currency: form.get('currency') ?? '', metadata };
      double.intents.push(intent);
      return { id, object: 'payment_intent', amount: intent.amount, currency: intent.currency, metadata, client_secret: `${id}_secret_test`, status: 'requires_payment_method' };
    }
    if (path === '/v1/refunds') {
      const id = `re_${double.refunds.length + 1}`;
      double.refunds.push({ id, paymentIntent: form.get('payment_intent') ?? '' });
      return { id, object: 'refund', status: 'succeeded', payment_intent: form.get('payment_intent') };
    }
    return { error: { type: 'invalid_request_error', message: `Unrecognized request URL (POST: ${path})` } };
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      double.requests++;
      const path = new URL(req.url ?? '/', 'http://double').pathname;
      const key = req.headers['idempotency-key'];
      const scoped = typeof key === 'string' ? `${path} ${key}` : null;
      let body = scoped === null ? undefined : byKey.get(scoped);
      if (body === undefined) {
        body = JSON.stringify(answer(path, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
        if (scoped !== null) byKey.set(scoped, body);
      }
      res.writeHead(body.includes('"error"') ? 404 : 200, { 'content-type': 'application/json', 'request-id': 'req_test' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(double, { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}
