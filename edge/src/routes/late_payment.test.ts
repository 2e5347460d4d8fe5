import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../engine/src/engine.ts';
import type { Command, Outcome } from '../../../engine/src/inventory/types.ts';
import type { JobDeps } from '../../../engine/src/jobs/queues.ts';
import { paymentConfirmedJob } from '../../../engine/src/orders/payment_confirmed_job.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * A payment that arrives after its hold is gone: the engine re-holds the same
 * tickets for the buyer if stock is left, and otherwise the order is refunded
 * and the buyer told. Never a payment without tickets or a refund.
 *
 * The hold is released by its buyer after checkout, which is what a lapse
 * does to it (the actor gives the stock back); the confirm then finds no hold,
 * exactly as it finds none after the expiry timer ran.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let late: { token: string; id: string };
let rival: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, late, rival] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'late'), n.api.signup('participant', 'rival')]);
});

afterAll(async () => {
  await n?.stop();
});

async function checkoutThenLapse(eventId: string, typeId: string, qty: number) {
  const hold = await n.api.hold(late.token, eventId, typeId, qty);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: late.token, body: { provider: 'simulated' } });
  expect(checkout.status).toBe(201);
  expect((await n.api.call('DELETE', `/api/holds/${hold.body.holdId}`, { token: late.token })).status).toBe(200);
  return { holdId: hold.body.holdId as string, orderId: checkout.body.id as string, session: checkout.body.payment.providerRef as string };
}

async function pay(token: string, session: string) {
  const paid = await n.api.call('POST', `/api/payments/simulated/${session}`, { token, body: { outcome: 'pay' } });
  expect(paid.body.status).toBe('succeeded');
}

const orderRow = async (id: string) => (await n.t.db.query('SELECT status, hold_id, ticketed_hold_id, failure FROM orders WHERE id = $1', [id])).rows[0];
const settled = (id: string, status: string) => until(async () => ((await orderRow(id)).status === status ? orderRow(id) : null), `order ${id} ${status}`);
const available = async (eventId: string) => (await n.api.call('GET', `/api/events/${eventId}`)).body.ticketTypes[0].available as number;

describe('a payment after the hold lapsed', () => {
  it('re-holds and issues the tickets when stock is left', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_500, capacity: 5 }] });
    const { holdId, orderId, session } = await checkoutThenLapse(event.id, event.typeIds[0]!, 2);
    expect(await available(event.id)).toBe(5);
    await pay(late.token, session);
    const order = await settled(orderId, 'ticketed');
    expect(order.ticketed_hold_id).not.toBe(holdId);
    const tickets = (await n.t.db.query('SELECT hold_id, buyer_id FROM tickets WHERE order_id = $1', [orderId])).rows;
    expect(tickets).toHaveLength(2);
    expect(tickets.every((t) => t.hold_id === order.ticketed_hold_id && t.buyer_id === late.id)).toBe(true);
    expect(await available(event.id)).toBe(3);
    const payment = (await n.api.call('GET', `/api/orders/${orderId}`, { token: late.token })).body.payment;
    expect(payment.status).toBe('succeeded');
  });

  it('refunds automatically and tells the buyer when the stock is gone', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_500, capacity: 2 }] });
    const { orderId, session } = await checkoutThenLapse(event.id, event.typeIds[0]!, 2);
    // Someone else buys the last two tickets meanwhile.
    const theirs = await n.api.hold(rival.token, event.id, event.typeIds[0]!, 2);
    const theirOrder = await n.api.call('POST', `/api/holds/${theirs.body.holdId}/checkout`, { token: rival.token, body: {} });
    await pay(rival.token, theirOrder.body.payment.providerRef);
    await settled(theirOrder.body.id, 'ticketed');

    await pay(late.token, session);
    const order = await settled(orderId, 'refunded');
    expect(order.failure).toBe('late_payment_sold_out');
    expect(order.ticketed_hold_id).toBeNull();
    expect((await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE order_id = $1 OR (buyer_id = $2 AND event_id = $3)', [orderId, late.id, event.id])).rows[0].c).toBe(0);
    const payment = (await n.api.call('GET', `/api/orders/${orderId}`, { token: late.token })).body.payment;
    expect(payment.status).toBe('refunded');
    const mail = await until(async () => {
      const { rows } = await n.t.db.query(`SELECT template, data FROM email_outbox WHERE key LIKE $1`, [`%${orderId}%`]);
      return rows.length > 0 ? rows : null;
    }, 'the refund notice');
    expect(mail.map((m) => m.template)).toEqual(['refund_notice']);
    expect(mail[0].data).toMatchObject({ reason: 'late_payment_sold_out', amount: 3_000, currency: 'EUR' });
    expect(await available(event.id)).toBe(0);
    // The payout counts no sale for it: its money went straight back.
    const payout = await n.api.call('GET', `/api/events/${event.id}/payout`, { token: organizer.token });
    expect(payout.body).toMatchObject({ gross: 3_000, refunds: 0 });
  });
});

/** The engine, with some answers replaced: `answer` returns an outcome to give instead, or null to pass the command on. */
function engineWith(answer: (cmd: Command, real: Engine) => Promise<Outcome | null>): JobDeps {
  const engine: Engine = { ...n.engine, send: async (cmd) => (await answer(cmd, n.engine)) ?? n.engine.send(cmd) };
  return { ...n.deps, engine };
}

/** An order paid for (payment succeeded) whose job has not run: the tests below run it by hand. */
async function paidAwaitingJob(eventId: string, typeId: string, qty: number) {
  const hold = await n.api.hold(late.token, eventId, typeId, qty);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: late.token, body: {} });
  await n.t.db.query(`UPDATE payments SET status = 'succeeded', captured_at = now() WHERE id = $1`, [checkout.body.payment.id]);
  return { holdId: hold.body.holdId as string, orderId: checkout.body.id as string, paymentId: checkout.body.payment.id as string };
}

describe('the payment-confirmed job on a lapsed hold', () => {
  it('re-holds after the engine answers hold_expired (the timer had not run yet)', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 3 }] });
    const { holdId, orderId, paymentId } = await paidAwaitingJob(event.id, event.typeIds[0]!, 2);
    const deps = engineWith(async (cmd, real) => {
      if (cmd.kind !== 'confirmHold' || cmd.holdId !== holdId) return null;
      // What confirmHold does to a hold past its time: releases it and answers hold_expired.
      await real.send({ kind: 'releaseHold', eventId: cmd.eventId, holdId, buyer: null });
      return { ok: false, reason: 'hold_expired' };
    });
    await paymentConfirmedJob(deps, { orderId, paymentId });
    const order = await settled(orderId, 'ticketed');
    expect(order.ticketed_hold_id).not.toBe(holdId);
    expect((await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE event_id = $1', [event.id])).rows[0].c).toBe(2);
  });

  it('retries while the engine is busy or moving the shard, and confirms once', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 3 }] });
    const { orderId, paymentId } = await paidAwaitingJob(event.id, event.typeIds[0]!, 1);
    const refusals: Outcome[] = [{ ok: false, reason: 'busy' }, { ok: false, reason: 'shard_unavailable' }];
    const deps = engineWith(async (cmd) => (cmd.kind === 'confirmHold' ? refusals.shift() ?? null : null));
    await expect(paymentConfirmedJob(deps, { orderId, paymentId })).rejects.toThrow(/busy/);
    await expect(paymentConfirmedJob(deps, { orderId, paymentId })).rejects.toThrow(/shard_unavailable/);
    await paymentConfirmedJob(deps, { orderId, paymentId });
    await paymentConfirmedJob(deps, { orderId, paymentId });
    await settled(orderId, 'ticketed');
    expect((await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE event_id = $1', [event.id])).rows[0].c).toBe(1);
  });

  for (const lapsed of [false, true]) {
    it(`gives one set of tickets when runs of the job overlap (hold ${lapsed ? 'lapsed' : 'open'})`, async () => {
      const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 10 }] });
      const { holdId, orderId, paymentId } = await paidAwaitingJob(event.id, event.typeIds[0]!, 2);
      if (lapsed) await n.api.call('DELETE', `/api/holds/${holdId}`, { token: late.token });
      // A run that loses the race to confirm must not take the hold for lapsed and re-hold.
      await Promise.allSettled([0, 1, 2, 3].map(() => paymentConfirmedJob(n.deps, { orderId, paymentId })));
      await paymentConfirmedJob(n.deps, { orderId, paymentId });
      await settled(orderId, 'ticketed');
      expect((await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE event_id = $1', [event.id])).rows[0].c).toBe(2);
      expect(await available(event.id)).toBe(8);
    });
  }

  it('waits for a confirm whose answer was lost while its tickets were still being written, and never re-holds (chaos run, seed 1)', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 10 }] });
    const { holdId, orderId, paymentId } = await paidAwaitingJob(event.id, event.typeIds[0]!, 2);
    // The first run's confirm reaches the actor, which closes the hold as confirmed; its answer is lost, and its
    // journal flush, with the tickets, is still on its way (here: its tickets are taken out of the database and
    // put back later, which is what a flush stalled by a partition looks like from outside).
    let stalled: Record<string, unknown>[] = [];
    const deps = engineWith(async (cmd, real) => {
      if (cmd.kind !== 'confirmHold' || cmd.holdId !== holdId || stalled.length > 0) return null;
      const outcome = await real.send(cmd);
      expect(outcome.ok).toBe(true);
      stalled = (await n.t.db.query('DELETE FROM tickets WHERE hold_id = $1 RETURNING *', [holdId])).rows;
      throw new Error('the answer was lost');
    });
    await expect(paymentConfirmedJob(deps, { orderId, paymentId })).rejects.toThrow(/the answer was lost/);
    expect(stalled).toHaveLength(2);
    // A retry while the flush is in flight: the actor knows no open hold; it must not be taken for lapsed.
    await expect(paymentConfirmedJob(deps, { orderId, paymentId })).rejects.toThrow(/confirmed but its tickets are not in the database yet/);
    expect((await orderRow(orderId)).status).toBe('pending');
    // The flush commits; the next retry gives the order those tickets, and no others.
    for (const t of stalled) {
      await n.t.db.query('INSERT INTO tickets SELECT * FROM json_populate_record(NULL::tickets, $1::json)', [JSON.stringify(t)]);
    }
    await paymentConfirmedJob(deps, { orderId, paymentId });
    const order = await settled(orderId, 'ticketed');
    expect(order.ticketed_hold_id).toBe(holdId);
    expect((await n.t.db.query('SELECT count(*)::int AS c FROM tickets WHERE event_id = $1', [event.id])).rows[0].c).toBe(2);
    expect(await available(event.id)).toBe(8);
  });

  it('refunds when the buyer\'s limit no longer allows the re-hold', async () => {
    const event = await n.api.createEvent(organizer.token, { perBuyerLimit: 2, ticketTypes: [{ name: 'GA', price: 1_000, capacity: 10 }] });
    const { holdId, orderId, paymentId } = await paidAwaitingJob(event.id, event.typeIds[0]!, 2);
    await n.api.call('DELETE', `/api/holds/${holdId}`, { token: late.token });
    // The buyer holds their limit again elsewhere before the payment lands.
    expect((await n.api.hold(late.token, event.id, event.typeIds[0]!, 2)).status).toBe(201);
    await paymentConfirmedJob(n.deps, { orderId, paymentId });
    const order = await settled(orderId, 'refunded');
    expect(order.failure).toBe('late_payment_sold_out');
  });
});
