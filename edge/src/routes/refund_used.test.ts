import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { JobDeps } from '../../../engine/src/jobs/queues.ts';
import { refundJob } from '../../../engine/src/orders/refund.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * A ticket used at the door is not refunded and its seat never goes back on
 * sale (security issue #11, finding 4): the route refuses, the organizer's
 * override refunds the money and leaves the stock alone, and a check-in that
 * races the refund job is caught by the job (before the money, and inside the
 * transaction that revokes the tickets).
 */

/** Orders whose refund job checks a ticket in at a chosen moment, to stage the race. */
const checkInBefore = new Map<string, 'job' | 'revocation'>();
let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };

/** Runs `before` just before the job marks the payment refunded: after the job's first look at the tickets, before its transaction. */
function dbWithHook(db: Db, before: () => Promise<void>): Db {
  const query = async (text: string, values?: unknown[]) => {
    if (text.startsWith("UPDATE payments SET status = 'refunded'")) await before();
    return db.query(text, values);
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === 'query') return query;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

beforeAll(async () => {
  n = await startOrdersNode({
    handlers: {
      refund: async (deps: JobDeps, data) => {
        const when = checkInBefore.get(data.orderId);
        if (when === 'job') await checkInOrder(data.orderId);
        const staged = when === 'revocation' ? { ...deps, db: dbWithHook(deps.db, () => checkInOrder(data.orderId)) } : deps;
        await refundJob(staged, data);
      },
    },
  });
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  const problems = n?.logged.filter((l) => l.startsWith('error') || l.includes('failed')) ?? [];
  await n?.stop();
  expect(problems).toEqual([]);
});

const listOf = new Map<string, string>();

/** Scans the order's first ticket at the door as the organizer, as a gate would. */
async function checkInOrder(orderId: string): Promise<void> {
  const row = (await n.t.db.query('SELECT id, event_id FROM tickets WHERE order_id = $1 ORDER BY id LIMIT 1', [orderId])).rows[0] as { id: string; event_id: string };
  let list = listOf.get(row.event_id);
  if (list === undefined) {
    const created = await n.api.call('POST', `/api/events/${row.event_id}/checkin/lists`, { token: organizer.token, body: { name: 'Main gate' } });
    expect(created.status).toBe(201);
    listOf.set(row.event_id, (list = created.body.id as string));
  }
  const scan = await n.api.call('POST', '/api/checkin', { token: organizer.token, body: { list, ticketId: row.id } });
  expect(scan.body.outcome).toBe('valid');
}

async function ticketedOrder(qty: number) {
  const event = await n.api.createEvent(organizer.token, { refundPolicy: 'always', ticketTypes: [{ name: 'GA', price: 2_000, capacity: 5 }] });
  const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, qty);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
  await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
  await until(async () => (await orderOf(checkout.body.id)).status === 'ticketed', 'tickets');
  return { eventId: event.id, orderId: checkout.body.id as string };
}

const orderOf = async (id: string) => (await n.api.call('GET', `/api/orders/${id}`, { token: buyer.token })).body;
const available = async (eventId: string) => (await n.api.call('GET', `/api/events/${eventId}`)).body.ticketTypes[0].available as number;
const refund = (orderId: string, token: string, body?: unknown) => n.api.call('POST', `/api/orders/${orderId}/refund`, { token, ...(body === undefined ? {} : { body }) });
const ticketStatuses = async (orderId: string) => (await n.t.db.query('SELECT status FROM tickets WHERE order_id = $1 ORDER BY id', [orderId])).rows.map((r) => r.status as string);

describe('refunding an order with a used ticket', () => {
  it('refuses the buyer and the organizer with 409 ticket_used and leaves the order and the stock as they were', async () => {
    const { eventId, orderId } = await ticketedOrder(2);
    await checkInOrder(orderId);
    expect(await available(eventId)).toBe(3);
    for (const token of [buyer.token, organizer.token]) {
      const answer = await refund(orderId, token);
      expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 409, code: 'ticket_used' });
      expect(answer.body.error.message).toMatch(/used at the door/);
    }
    const buyerOverride = await refund(orderId, buyer.token, { refundUsedTickets: true });
    expect({ status: buyerOverride.status, code: buyerOverride.body.error?.code }).toEqual({ status: 403, code: 'override_not_allowed' });
    expect((await orderOf(orderId)).status).toBe('ticketed');
    expect(await available(eventId)).toBe(3);
  });

  it('refunds on the organizer\'s explicit override: money back, tickets revoked, seats stay sold', async () => {
    const { eventId, orderId } = await ticketedOrder(2);
    await checkInOrder(orderId);
    const answer = await refund(orderId, organizer.token, { refundUsedTickets: true });
    expect(answer.status).toBe(202);
    await until(async () => n.logged.some((l) => l.includes(`refund of order ${orderId}: 1 of its tickets were used at the door; its seats stay sold (organizer override)`)), 'the job to finish');
    expect((await orderOf(orderId)).status).toBe('refunded');
    expect((await orderOf(orderId)).payment.status).toBe('refunded');
    expect(await ticketStatuses(orderId)).toEqual(['revoked', 'revoked']);
    expect(await available(eventId)).toBe(3);
  });

  it('validates the refund body', async () => {
    const { orderId } = await ticketedOrder(1);
    const bad = await refund(orderId, organizer.token, { refundUsedTickets: 'yes' });
    expect({ status: bad.status, code: bad.body.error?.code }).toEqual({ status: 400, code: 'invalid_body' });
    const unknown = await refund(orderId, organizer.token, { force: true });
    expect({ status: unknown.status, code: unknown.body.error?.code }).toEqual({ status: 400, code: 'unknown_field' });
    const text = await fetch(`${n.base}/api/orders/${orderId}/refund`, { method: 'POST', headers: { authorization: `Bearer ${organizer.token}`, 'content-type': 'text/plain' }, body: 'please' });
    expect(text.status).toBe(415);
    expect((await orderOf(orderId)).status).toBe('ticketed');
  });
});

describe('a check-in racing the refund job', () => {
  it('stops the job before the money when the ticket was used after the request: nothing refunded, nothing back on sale', async () => {
    const { eventId, orderId } = await ticketedOrder(2);
    checkInBefore.set(orderId, 'job');
    expect((await refund(orderId, buyer.token)).status).toBe(202);
    await until(async () => n.logged.some((l) => l.includes(`a ticket of order ${orderId} was used at the door after the refund was asked`)), 'the job to stop');
    const order = await orderOf(orderId);
    expect({ status: order.status, payment: order.payment.status }).toEqual({ status: 'ticketed', payment: 'succeeded' });
    expect(await available(eventId)).toBe(3);
  });

  it('never puts the seats back on sale when the check-in lands between the job\'s first look and its transaction', async () => {
    const { eventId, orderId } = await ticketedOrder(2);
    checkInBefore.set(orderId, 'revocation');
    expect((await refund(orderId, buyer.token)).status).toBe(202);
    // The money was already on its way back when the ticket entered: the order is refunded, the seats stay sold.
    await until(async () => n.logged.some((l) => l.includes(`refund of order ${orderId}: 1 of its tickets were used at the door; its seats stay sold`)), 'the job to finish');
    expect((await orderOf(orderId)).status).toBe('refunded');
    expect(await ticketStatuses(orderId)).toEqual(['revoked', 'revoked']);
    expect(await available(eventId)).toBe(3);
  });
});
