import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

/**
 * A local stand-in for Konnect's payment API (v2), for tests and development:
 * `POST /api/v2/payments/init-payment` and `GET /api/v2/payments/:paymentRef`,
 * both behind the `x-api-key` header, and the page the buyer pays on
 * (`/pay/:paymentRef`, with buttons in development). A test plays the buyer
 * with `complete(ref)`, `fail(ref)` (a card refused: a failed transaction, the
 * payment stays pending as on Konnect) and `expire(ref)` (its lifespan over).
 * Completing a payment calls its webhook (GET `?payment_ref=`) unless told not to.
 *
 * Development: `npx tsx engine/src/testing/payments/konnect_double.ts` serves one on
 * port 4010 and prints the settings to give Tickr (never in production: it is
 * a separate process nobody starts there).
 */
export type DoubleTransaction = { status: 'success' | 'failed'; method: string; at: string };
export type DoublePayment = {
  id: string;
  status: 'pending' | 'completed';
  amount: number;
  token: string;
  orderId: string;
  receiverWalletId: string;
  acceptedPaymentMethods: string[];
  webhook: string;
  successUrl: string;
  failUrl: string;
  description: string;
  expirationDate: string;
  transactions: DoubleTransaction[];
};

export type KonnectDouble = {
  url: string;
  apiKey: string;
  walletId: string;
  payments: Map<string, DoublePayment>;
  calls: { method: string; path: string; body: Record<string, unknown> | null }[];
  /** The buyer paid: the payment completes, and Konnect calls the webhook (awaited) unless `notify` is false. */
  complete(ref: string, opts?: { notify?: boolean }): Promise<void>;
  /** A card refused on Konnect's page: a failed transaction; the payment stays pending. */
  fail(ref: string): void;
  /** The payment's lifespan is over, unpaid. */
  expire(ref: string): void;
  close(): Promise<void>;
};

const wallets = ['e-DINAR', 'bank_card', 'wallet', 'flouci'];

export async function startKonnectDouble(opts: { apiKey?: string; walletId?: string; port?: number; host?: string } = {}): Promise<KonnectDouble> {
  const state: DoubleState = {
    apiKey: opts.apiKey ?? `${randomBytes(12).toString('hex')}:${randomBytes(15).toString('base64url')}`,
    walletId: opts.walletId ?? randomBytes(12).toString('hex'),
    payments: new Map<string, DoublePayment>(),
    calls: [],
    base: '',
  };
  const server: Server = createServer((req, res) => handleRequest(state, req, res));
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  state.base = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url: state.base,
    apiKey: state.apiKey,
    walletId: state.walletId,
    payments: state.payments,
    calls: state.calls,
    complete: (ref, o) => completePayment(state.payments, ref, o),
    fail: (ref) => failPayment(state.payments, ref),
    expire: (ref) => {
      findPayment(state.payments, ref).expirationDate = new Date(0).toISOString();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What one double knows; `base` is its URL, set once it listens. */
type DoubleState = {
  apiKey: string;
  walletId: string;
  payments: Map<string, DoublePayment>;
  calls: KonnectDouble['calls'];
  base: string;
};

function handleRequest(state: DoubleState, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    const pay = /^\/pay\/([0-9a-f]+)(?:\/(pay|fail))?$/.exec(path);
    if (pay) return void page(state.payments, req, res, pay[1]!, pay[2] ?? null);
    let body: Record<string, unknown> | null = null;
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'Body is not JSON' }] }));
      }
    }
    state.calls.push({ method: req.method ?? 'GET', path, body });
    const [status, answer] = api(state, req, path, body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
}

function api(state: DoubleState, req: IncomingMessage, path: string, body: Record<string, unknown> | null): [number, unknown] {
  if (req.headers['x-api-key'] !== state.apiKey) return [401, { errors: [{ message: 'Unauthorized: invalid x-api-key' }] }];
  if (req.method === 'POST' && path === '/api/v2/payments/init-payment') return initPayment(state, body ?? {});
  const match = /^\/api\/v2\/payments\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && match) {
    const payment = state.payments.get(decodeURIComponent(match[1]!));
    if (!payment) return [404, { errors: [{ message: 'Payment not found' }] }];
    const reached = payment.status === 'completed' ? payment.amount : 0;
    return [200, { payment: { ...payment, amountDue: payment.amount - reached, reachedAmount: reached, convertedAmount: payment.amount, exchangeRate: 1 } }];
  }
  return [404, { errors: [{ message: `No route ${req.method} ${path}` }] }];
}

function initPayment(state: DoubleState, b: Record<string, unknown>): [number, unknown] {
  const { walletId } = state;
  const problems: string[] = [];
  if (b.receiverWalletId !== walletId) problems.push('receiverWalletId is not a wallet of this account');
  if (b.token !== 'TND') problems.push('token must be TND');
  if (!Number.isInteger(b.amount) || (b.amount as number) <= 0) problems.push('amount must be a positive integer (millimes)');
  if (b.type !== 'immediate' && b.type !== 'partial') problems.push('type must be immediate or partial');
  const methods = b.acceptedPaymentMethods;
  if (!Array.isArray(methods) || methods.length === 0 || methods.some((m) => !wallets.includes(String(m)))) problems.push(`acceptedPaymentMethods must be some of ${wallets.join(', ')}`);
  for (const field of ['webhook', 'successUrl', 'failUrl'] as const) {
    if (typeof b[field] !== 'string' || !/^https?:\/\//.test(b[field] as string)) problems.push(`${field} must be an http(s) URL`);
  }
  if (problems.length > 0) return [422, { errors: problems.map((message) => ({ message })) }];
  const id = randomBytes(12).toString('hex');
  const lifespan = Number.isInteger(b.lifespan) ? (b.lifespan as number) : 60;
  state.payments.set(id, {
    id, status: 'pending', amount: b.amount as number, token: 'TND', orderId: String(b.orderId ?? ''), receiverWalletId: walletId,
    acceptedPaymentMethods: (methods as unknown[]).map(String), webhook: b.webhook as string, successUrl: b.successUrl as string,
    failUrl: b.failUrl as string, description: String(b.description ?? ''), expirationDate: new Date(Date.now() + lifespan * 60_000).toISOString(), transactions: [],
  });
  return [200, { payUrl: `${state.base}/pay/${id}`, paymentRef: id }];
}

function findPayment(payments: Map<string, DoublePayment>, ref: string): DoublePayment {
  const payment = payments.get(ref);
  if (!payment) throw new Error(`konnect double: no payment ${ref}`);
  return payment;
}

async function notifyWebhook(payment: DoublePayment): Promise<void> {
  const hook = new URL(payment.webhook);
  hook.searchParams.set('payment_ref', payment.id);
  await fetch(hook).then((r) => r.arrayBuffer()).catch(() => undefined);
}

async function completePayment(payments: Map<string, DoublePayment>, ref: string, o: { notify?: boolean } = {}): Promise<void> {
  const payment = findPayment(payments, ref);
  if (payment.status !== 'completed') {
    payment.status = 'completed';
    payment.transactions.push({ status: 'success', method: 'e-DINAR', at: new Date().toISOString() });
  }
  if (o.notify !== false) await notifyWebhook(payment);
}

function failPayment(payments: Map<string, DoublePayment>, ref: string): void {
  findPayment(payments, ref).transactions.push({ status: 'failed', method: 'bank_card', at: new Date().toISOString() });
}

/** The buyer's page: development only needs it, tests call complete/fail directly. */
async function page(payments: Map<string, DoublePayment>, req: IncomingMessage, res: ServerResponse, ref: string, action: string | null): Promise<void> {
  const payment = payments.get(ref);
  if (!payment) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('No such payment');
  if (req.method === 'POST' && action === 'pay') {
    await completePayment(payments, ref);
    return void res.writeHead(303, { location: `${payment.successUrl}${payment.successUrl.includes('?') ? '&' : '?'}payment_ref=${ref}` }).end();
  }
  if (req.method === 'POST' && action === 'fail') {
    failPayment(payments, ref);
    return void res.writeHead(303, { location: `${payment.failUrl}${payment.failUrl.includes('?') ? '&' : '?'}payment_ref=${ref}` }).end();
  }
  const amount = (payment.amount / 1000).toFixed(3);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><meta charset="utf-8"><title>Konnect (local double)</title>
<h1>Konnect, local double</h1><p>${escapeHtml(payment.description)}</p><p><strong>${amount} TND</strong>, status ${payment.status}</p>
<p>Accepted: ${payment.acceptedPaymentMethods.map(escapeHtml).join(', ')}</p>
<form method="post" action="/pay/${ref}/pay"><button>Pay (e-DINAR)</button></form>
<form method="post" action="/pay/${ref}/fail"><button>Card refused</button></form>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.env.NODE_ENV === 'production') throw new Error('the Konnect double moves no money: it does not run with NODE_ENV=production');
  const port = Number(process.env.KONNECT_DOUBLE_PORT || 4010);
  const double = await startKonnectDouble({ port, apiKey: 'dev-konnect-key', walletId: 'dev-konnect-wallet' });
  console.log(`Konnect double on ${double.url}; start Tickr with\n  KONNECT_URL=${double.url} KONNECT_API_KEY=${double.apiKey} KONNECT_WALLET_ID=${double.walletId}`);
}
