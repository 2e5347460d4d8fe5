import { randomUUID } from 'node:crypto';
import type { ChaosNode } from './stack.ts';

/*
 * The chaos run's clients, in the root namespace, talking to the nodes over
 * the bridge. Each does what a buyer and a door do: hold, check out, pay
 * (simulated provider), and, once the tickets exist, scan each ticket at two
 * gates at once through two nodes. Every answer that acknowledged something is
 * recorded; the checks after healing hold the system to each of them. A
 * request with no answer (a timeout, a reset, a 5xx) is retried with the same
 * idempotency key where the API has one, and is otherwise allowed to have
 * happened or not.
 */

export type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function call(node: { url: string }, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

export type World = {
  events: { id: string; listId: string; types: { id: string; capacity: number; name: string }[] }[];
  organizer: string;
  operator: string;
};

export type HoldAck = { holdId: string; eventId: string; typeId: string; quantity: number; token: string; via: string };
export type SaleAck = { holdId: string; orderId: string; eventId: string; quantity: number; token: string; via: string };
export type CheckinAck = { ticketId: string; eventId: string; via: string };

export type Records = {
  holds: Map<string, HoldAck>;
  sales: Map<string, SaleAck>;
  /** Every `valid` answer, per ticket: more than one is a double admission. */
  admissions: Map<string, CheckinAck[]>;
  answers: Map<string, number>;
  unanswered: number;
};

export function newRecords(): Records {
  return { holds: new Map(), sales: new Map(), admissions: new Map(), answers: new Map(), unanswered: 0 };
}

export type Clients = { records: Records; stop: () => Promise<void> };

/** Starts `loops` buyers on the events of `world`, each request through a node picked at random. */
export function startClients(opts: { nodes: ChaosNode[]; world: World; loops: number; random: () => number; signup: () => Promise<string> }): Clients {
  const records = newRecords();
  const { world } = opts;
  let stopped = false;
  const pick = <T>(xs: T[]): T => xs[Math.floor(opts.random() * xs.length)]!;
  const count = (what: string, a: Answer | null) => {
    const key = a === null ? `${what} -` : `${what} ${a.status}${a.body?.error?.code ? ` ${a.body.error.code}` : ''}`;
    records.answers.set(key, (records.answers.get(key) ?? 0) + 1);
    if (a === null) records.unanswered++;
  };

  /** One request, through random nodes, until an answer that is not a 5xx (or `tries` run out). */
  const retried = async (what: string, method: string, path: string, o: Parameters<typeof call>[3], tries = 8): Promise<{ a: Answer | null; via: string }> => {
    let last: { a: Answer | null; via: string } = { a: null, via: '' };
    for (let i = 0; i < tries && !stopped; i++) {
      const node = pick(opts.nodes);
      const a = await call(node, method, path, o).catch(() => null);
      count(what, a);
      last = { a, via: node.name };
      if (a !== null && a.status < 500) return last;
      await sleep(150 + 100 * i);
    }
    return last;
  };

  const scans: { ticketId: string; secret: string; eventId: string; listId: string }[] = [];
  const sold: SaleAck[] = [];

  const buyer = async (): Promise<void> => {
    let token = await opts.signup();
    while (!stopped) {
      const event = pick(world.events);
      const type = pick(event.types);
      const quantity = 1 + Math.floor(opts.random() * 2);
      const key = randomUUID();
      const hold = await retried('hold', 'POST', `/api/events/${event.id}/holds`, { token, body: { typeId: type.id, quantity }, headers: { 'idempotency-key': key } });
      if (hold.a?.status === 409 && hold.a.body?.error?.code === 'limit_reached') token = await opts.signup();
      if (hold.a?.status !== 201) {
        await sleep(100);
        continue;
      }
      const holdId = hold.a.body.holdId as string;
      records.holds.set(holdId, { holdId, eventId: event.id, typeId: type.id, quantity, token, via: hold.via });
      // Two holds in three go on to a sale; the rest stay held (their own promise to keep).
      if (opts.random() < 1 / 3) continue;
      const checkout = await retried('checkout', 'POST', `/api/holds/${holdId}/checkout`, { token, body: { provider: 'simulated' } });
      if (checkout.a === null || (checkout.a.status !== 201 && checkout.a.status !== 200)) continue;
      const orderId = checkout.a.body.id as string;
      const session = checkout.a.body.payment.providerRef as string;
      const paid = await retried('pay', 'POST', `/api/payments/simulated/${session}`, { token, body: { outcome: 'pay' } });
      if (paid.a?.status === 200 && paid.a.body?.status === 'succeeded') {
        const sale = { holdId, orderId, eventId: event.id, quantity, token, via: paid.via };
        records.sales.set(orderId, sale);
        if (opts.random() < 0.5) sold.push(sale);
      }
    }
  };

  /** Collects the tickets of sales to scan, once they are issued. */
  const collector = async (): Promise<void> => {
    while (!stopped) {
      const sale = sold.shift();
      if (!sale) {
        await sleep(200);
        continue;
      }
      const tickets = await call(pick(opts.nodes), 'GET', `/api/orders/${sale.orderId}/tickets`, { token: sale.token }).catch(() => null);
      const list = tickets?.status === 200 ? (tickets.body.tickets as { id: string; secret: string | null }[]).filter((t) => t.secret) : [];
      if (list.length < sale.quantity || tickets?.body.status !== 'ticketed') {
        sold.push(sale); // not issued yet (jobs run after the payment): later
        await sleep(200);
        continue;
      }
      const listId = world.events.find((e) => e.id === sale.eventId)!.listId;
      for (const t of list) scans.push({ ticketId: t.id, secret: t.secret!, eventId: sale.eventId, listId });
    }
  };

  /** Scans each ticket at two gates at once, through two different nodes. */
  const door = async (): Promise<void> => {
    while (!stopped) {
      const s = scans.shift();
      if (!s) {
        await sleep(200);
        continue;
      }
      const a = pick(opts.nodes);
      const b = opts.nodes.length > 1 ? pick(opts.nodes.filter((n) => n !== a)) : a;
      await Promise.all(
        [a, b].map(async (node, gate) => {
          for (let i = 0; i < 6 && !stopped; i++) {
            const answer = await call(node, 'POST', '/api/checkin', { token: world.organizer, body: { list: s.listId, secret: s.secret, gate: `gate-${gate}` } }).catch(() => null);
            count('checkin', answer);
            if (answer?.status === 200) {
              if (answer.body.outcome === 'valid') records.admissions.set(s.ticketId, [...(records.admissions.get(s.ticketId) ?? []), { ticketId: s.ticketId, eventId: s.eventId, via: node.name }]);
              return;
            }
            await sleep(200 + 150 * i);
          }
        }),
      );
    }
  };

  const loops = [...Array.from({ length: opts.loops }, () => buyer()), collector(), door(), door()];
  return {
    records,
    stop: async () => {
      stopped = true;
      await Promise.allSettled(loops);
    },
  };
}
