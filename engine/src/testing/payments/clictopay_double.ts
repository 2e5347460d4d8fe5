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
  const username = opts.username ?? 'merchant';
  const password = opts.password ?? 'secret';
  const orders = new Map<string, DoubleOrder>();
  const calls: ClictopayDouble['calls'] = [];
  let base = '';

  const handle = (method: string, p: Record<string, string>): Record<string, unknown> => {
    if (p.userName !== username || p.password !== password) return { errorCode: '5', errorMessage: 'Access denied' };
    switch (method) {
      case 'register.do': {
        const amount = Number(p.amount);
        if (!Number.isInteger(amount) || amount <= 0) return { errorCode: '4', errorMessage: 'Amount is invalid' };
        if (p.currency !== '788') return { errorCode: '7', errorMessage: 'Currency is invalid' };
        if (!p.returnUrl) return { errorCode: '4', errorMessage: 'Return URL is empty' };
        if ([...orders.values()].some((o) => o.orderNumber === p.orderNumber)) return { errorCode: '1', errorMessage: 'Order with this number was already processed' };
        const orderId = randomUUID();
        orders.set(orderId, { orderId, orderNumber: p.orderNumber ?? '', amount, currency: p.currency, returnUrl: p.returnUrl, status: 0, refunded: 0 });
        return { orderId, formUrl: `${base}/payment/merchants/tickr/payment_fr.html?mdOrder=${orderId}` };
      }
      case 'getOrderStatusExtended.do': {
        const order = orders.get(p.orderId ?? '');
        if (!order) return { errorCode: '6', errorMessage: 'Order not found' };
        return { errorCode: '0', errorMessage: 'Success', orderNumber: order.orderNumber, orderStatus: order.status, amount: order.amount, currency: order.currency, actionCode: order.status === 6 ? -2007 : 0 };
      }
      case 'refund.do': {
        const order = orders.get(p.orderId ?? '');
        if (!order) return { errorCode: '6', errorMessage: 'Order not found' };
        const amount = Number(p.amount);
        if (order.status !== 2) return { errorCode: '7', errorMessage: 'Payment must be in a correct state' };
        if (!Number.isInteger(amount) || amount <= 0 || order.refunded + amount > order.amount) return { errorCode: '7', errorMessage: 'Refund amount exceeds the deposited amount' };
        order.refunded += amount;
        if (order.refunded === order.amount) order.status = 4;
        return { errorCode: '0', errorMessage: 'Success' };
      }
      default:
        return { errorCode: '7', errorMessage: `Unknown method ${method}` };
    }
  };

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
      res.end(JSON.stringify(handle(method, params)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setStatus = (orderId: string, status: number) => {
    const order = orders.get(orderId);
    if (!order) throw new Error(`clictopay double: no order ${orderId}`);
    order.status = status;
  };
  return {
    url: `${base}/payment/rest`,
    username,
    password,
    orders,
    calls,
    pay: (orderId) => setStatus(orderId, 2),
    decline: (orderId) => setStatus(orderId, 6),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
