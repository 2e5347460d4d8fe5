import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Clictopay gateway, speaking the documented REST
 * API (form-encoded POST, JSON answers) for tests and development:
 * register.do, getOrderStatusExtended.do, refund.do. A test plays the buyer on
 * the payment page with `pay(orderId)` or `decline(orderId)`.
 */
export type DoubleOrder = { orderId: string; orderNumber: string; amount: number; currency: string; returnUrl: string; status: number; refunded: number };

export type ClictopayDouble = {
  url: string;
  username: string;
  password: string;
  orders: Map<string, DoubleOrder>;
  calls: { method: string; params: Record<string, string> }[];
  pay(orderId: string): void;
  decline(orderId: string): void;
  close(): Promise<void>;
};

export async function startClictopayDouble(opts: { username?: string; password?: string } = {}): Promise<ClictopayDouble> {
  const state: DoubleState = { username: opts.username ?? 'merchant', password: opts.password ?? 'secret', orders: new Map<string, DoubleOrder>(), base: '' };
  const calls: ClictopayDouble['calls'] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://double');
      const method = url.pathname.split('/').pop() ?? '';
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      for (const [k, v] of url.searchParams) params[k] ??= v;
      calls.push({ method, params });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(handle(state, method, params)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setStatus = (orderId: string, status: number) => {
    const order = state.orders.get(orderId);
    if (!order) throw new Error(`clictopay double: no order ${orderId}`);
    order.status = status;
  };
  return {
    url: `${state.base}/payment/rest`,
    username: state.username,
    password: state.password,
    orders: state.orders,
    calls,
    pay: (orderId) => setStatus(orderId, 2),
    decline: (orderId) => setStatus(orderId, 6),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What one double knows; `base` is its URL, set once it listens. */
type DoubleState = { username: string; password: string; orders: Map<string, DoubleOrder>; base: string };

function handle(state: DoubleState, method: string, p: Record<string, string>): Record<string, unknown> {
  if (p.userName !== state.username || p.password !== state.password) return { errorCode: '5', errorMessage: 'Access denied' };
  switch (method) {
    case 'register.do':
      return register(state, p);
    case 'getOrderStatusExtended.do': {
      const order = state.orders.get(p.orderId ?? '');
      if (!order) return { errorCode: '6', errorMessage: 'Order not found' };
      return { errorCode: '0', errorMessage: 'Success', orderNumber: order.orderNumber, orderStatus: order.status, amount: order.amount, currency: order.currency, actionCode: order.status === 6 ? -2007 : 0 };
    }
    case 'refund.do':
      return refund(state, p);
    default:
      return { errorCode: '7', errorMessage: `Unknown method ${method}` };
  }
}

function register(state: DoubleState, p: Record<string, string>): Record<string, unknown> {
  const amount = Number(p.amount);
  if (!Number.isInteger(amount) || amount <= 0) return { errorCode: '4', errorMessage: 'Amount is invalid' };
  if (p.currency !== '788') return { errorCode: '7', errorMessage: 'Currency is invalid' };
  if (!p.returnUrl) return { errorCode: '4', errorMessage: 'Return URL is empty' };
  if ([...state.orders.values()].some((o) => o.orderNumber === p.orderNumber)) return { errorCode: '1', errorMessage: 'Order with this number was already processed' };
  const orderId = randomUUID();
  state.orders.set(orderId, { orderId, orderNumber: p.orderNumber ?? '', amount, currency: p.currency, returnUrl: p.returnUrl, status: 0, refunded: 0 });
  return { orderId, formUrl: `${state.base}/payment/merchants/tickr/payment_fr.html?mdOrder=${orderId}` };
}

function refund(state: DoubleState, p: Record<string, string>): Record<string, unknown> {
  const order = state.orders.get(p.orderId ?? '');
  if (!order) return { errorCode: '6', errorMessage: 'Order not found' };
  const amount = Number(p.amount);
  if (order.status !== 2) return { errorCode: '7', errorMessage: 'Payment must be in a correct state' };
  if (!Number.isInteger(amount) || amount <= 0 || order.refunded + amount > order.amount) return { errorCode: '7', errorMessage: 'Refund amount exceeds the deposited amount' };
  order.refunded += amount;
  if (order.refunded === order.amount) order.status = 4;
  return { errorCode: '0', errorMessage: 'Success' };
}
