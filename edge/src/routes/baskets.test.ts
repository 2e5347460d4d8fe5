import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Baskets (#15), end to end: several ticket types of one event held at once
 * (all or none), one order and one payment for the sum, holder names given at
 * checkout or afterwards, shown on the passes and at the door.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };
let otherBuyer: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, buyer, otherBuyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer'), n.api.signup('participant', 'buyer2')]);
});

afterAll(async () => {
  const problems = n?.logged.filter((l) => l.includes('failed')) ?? [];
  await n?.stop();
  expect(problems).toEqual([]);
});

const types = [{ name: 'Floor', price: 2_500, capacity: 10 }, { name: 'Balcony', price: 1_500, capacity: 3 }];
const holdBasket = (token: string, eventId: string, items: { typeId: string; quantity: number }[], key: string = randomUUID()) =>
  n.api.call('POST', `/api/events/${eventId}/holds`, { token, body: { items }, headers: { 'idempotency-key': key } });
const availability = async (eventId: string) =>
  ((await n.api.call('GET', `/api/events/${eventId}`)).body.ticketTypes as { available: number }[]).map((t) => t.available);

describe('POST /api/events/:id/holds with items', () => {
  it('holds every type at once, one hold each, and answers the same basket for a retried key', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types });
    const [floor, balcony] = event.typeIds as [string, string];
    const key = randomUUID();
    const held = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 2 }, { typeId: balcony, quantity: 1 }], key);
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ amount: 6_500, currency: 'EUR', holds: [{ typeId: floor, quantity: 2, status: 'held' }, { typeId: balcony, quantity: 1, status: 'held' }] });
    expect(held.body.basketId).toBe(held.body.holds[0].holdId);
    const again = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 2 }, { typeId: balcony, quantity: 1 }], key);
    expect(again.body.holds.map((h: { holdId: string }) => h.holdId)).toEqual(held.body.holds.map((h: { holdId: string }) => h.holdId));
    expect(await availability(event.id)).toEqual([8, 2]);
    const reused = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 1 }], key);
    expect({ status: reused.status, code: reused.body.error.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
  });

  it('holds nothing when one type cannot be held, and counts the whole basket against the per-person limit', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types, perBuyerLimit: 4 });
    const [floor, balcony] = event.typeIds as [string, string];
    const short = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 1 }, { typeId: balcony, quantity: 4 }]);
    expect({ status: short.status, code: short.body.error.code }).toEqual({ status: 409, code: 'sold_out' });
    const over = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 3 }, { typeId: balcony, quantity: 2 }]);
    expect({ status: over.status, code: over.body.error.code }).toEqual({ status: 409, code: 'limit_reached' });
    expect(await availability(event.id)).toEqual([10, 3]);
  });

  it('refuses a basket that lists a type twice, is empty, or names another event\'s type, with a message', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types });
    const other = await n.api.createEvent(organizer.token);
    const [floor] = event.typeIds as [string, string];
    const twice = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 1 }, { typeId: floor.toUpperCase(), quantity: 1 }]);
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toMatch(/each ticket type once/);
    expect((await holdBasket(buyer.token, event.id, [])).status).toBe(400);
    const foreign = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 1 }, { typeId: other.typeIds[0]!, quantity: 1 }]);
    expect(foreign.body.error.code).toBe('unknown_ticket_type');
    expect(await availability(event.id)).toEqual([10, 3]);
  });

  it('never holds part of a basket when baskets race for scarce stock', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'A', price: 100, capacity: 5 }, { name: 'B', price: 100, capacity: 3 }], perBuyerLimit: 100 });
    const [a, b] = event.typeIds as [string, string];
    const buyers = await Promise.all(Array.from({ length: 8 }, (_, i) => n.api.signup('participant', `racer${i}`)));
    const answers = await Promise.all(buyers.map((who, i) => holdBasket(who.token, event.id, [{ typeId: a, quantity: 1 + (i % 2) }, { typeId: b, quantity: 1 }])));
    const held = answers.filter((x) => x.status === 201);
    for (const x of answers) if (x.status !== 201) expect(x.body.error.code).toBe('sold_out');
    const heldA = held.reduce((sum, x) => sum + x.body.holds[0].quantity, 0);
    expect(held.length).toBeGreaterThan(0);
    expect(await availability(event.id)).toEqual([5 - heldA, 3 - held.length]);
  });
});

describe('checking a basket out', () => {
  it('makes one order with a line per type and one payment for the sum; passes and the door show the holders', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types });
    const [floor, balcony] = event.typeIds as [string, string];
    const held = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 2 }, { typeId: balcony, quantity: 1 }]);
    const [floorHold, balconyHold] = held.body.holds.map((h: { holdId: string }) => h.holdId) as [string, string];
    const body = { provider: 'simulated', basket: [floorHold, balconyHold], holders: { [floorHold]: ['Ada Lovelace', 'Alan Turing'], [balconyHold]: ['Grace Hopper'] } };
    const checkout = await n.api.call('POST', `/api/holds/${floorHold}/checkout`, { token: buyer.token, body });
    expect(checkout.status).toBe(201);
    expect(checkout.body).toMatchObject({ status: 'pending', amount: 6_500, lines: [
      { line: 1, holdId: floorHold, typeName: 'Floor', quantity: 2, unitPrice: 2_500, amount: 5_000, holderNames: ['Ada Lovelace', 'Alan Turing'] },
      { line: 2, holdId: balconyHold, typeName: 'Balcony', quantity: 1, unitPrice: 1_500, amount: 1_500, holderNames: ['Grace Hopper'] },
    ] });
    // The same basket again, or one of its holds alone: the same order.
    expect((await n.api.call('POST', `/api/holds/${floorHold}/checkout`, { token: buyer.token, body })).body.id).toBe(checkout.body.id);
    expect((await n.api.call('POST', `/api/holds/${balconyHold}/checkout`, { token: buyer.token, body: { provider: 'simulated' } })).body.id).toBe(checkout.body.id);
    const payments = await n.t.db.query('SELECT amount FROM payments WHERE order_id = $1', [checkout.body.id]);
    expect(payments.rows).toEqual([{ amount: 6_500 }]);

    const session = checkout.body.payment.providerRef as string;
    await n.api.call('POST', `/api/payments/simulated/${session}`, { token: buyer.token, body: { outcome: 'pay' } });
    await until(async () => (await n.api.call('GET', `/api/orders/${checkout.body.id}`, { token: buyer.token })).body.status === 'ticketed' || null, 'the basket ticketed');
    const passes = await n.api.call('GET', `/api/orders/${checkout.body.id}/tickets`, { token: buyer.token });
    const names = (passes.body.tickets as { typeName: string; holderName: string }[]).map((t) => `${t.typeName}: ${t.holderName}`).sort();
    expect(names).toEqual(['Balcony: Grace Hopper', 'Floor: Ada Lovelace', 'Floor: Alan Turing']);
    expect(await availability(event.id)).toEqual([8, 2]);

    // Renamed afterwards: the pass keeps its secret, the door sees the new name.
    const grace = (passes.body.tickets as { id: string; holderName: string; secret: string }[]).find((t) => t.holderName === 'Grace Hopper')!;
    const renamed = await n.api.call('PUT', `/api/tickets/${grace.id}/holder`, { token: buyer.token, body: { name: '  Katherine Johnson ' } });
    expect(renamed.body).toMatchObject({ holderName: 'Katherine Johnson', secret: grace.secret });
    expect((await n.api.call('PUT', `/api/tickets/${grace.id}/holder`, { token: otherBuyer.token, body: { name: 'Mallory' } })).status).toBe(404);
    const control = await n.api.call('PUT', `/api/tickets/${grace.id}/holder`, { token: buyer.token, body: { name: 'Kath\u0000erine' } });
    expect(control.status).toBe(400);
    expect((await n.api.call('PUT', `/api/tickets/${grace.id}/holder`, { token: buyer.token, body: { name: 'x'.repeat(101) } })).status).toBe(400);

    const list = await n.api.call('POST', `/api/events/${event.id}/checkin/lists`, { token: organizer.token, body: { name: 'Main door' } });
    const found = await n.api.call('GET', `/api/events/${event.id}/checkin/lookup?q=katherine`, { token: organizer.token });
    expect(found.body.tickets).toEqual([expect.objectContaining({ id: grace.id, holderName: 'Katherine Johnson', typeName: 'Balcony' })]);
    const scanned = await n.api.call('POST', '/api/checkin', { token: organizer.token, body: { list: list.body.id, secret: grace.secret } });
    expect(scanned.body).toMatchObject({ outcome: 'valid', ticket: { holderName: 'Katherine Johnson', typeName: 'Balcony' } });
  });

  it('refuses a basket whose hold is not mine, too many names, or a holders key outside the basket', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types });
    const [floor, balcony] = event.typeIds as [string, string];
    const mine = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 1 }]);
    const theirs = await holdBasket(otherBuyer.token, event.id, [{ typeId: balcony, quantity: 1 }]);
    const [m, t] = [mine.body.basketId as string, theirs.body.basketId as string];
    const call = (body: Record<string, unknown>) => n.api.call('POST', `/api/holds/${m}/checkout`, { token: buyer.token, body: { provider: 'simulated', ...body } });
    expect((await call({ basket: [m, t] })).body.error.code).toBe('hold_not_found');
    expect((await call({ basket: [t] })).status).toBe(400);
    expect((await call({ holders: { [t]: ['Eve'] } })).status).toBe(400);
    const tooMany = await call({ holders: { [m]: ['One', 'Two'] } });
    expect({ status: tooMany.status, code: tooMany.body.error.code }).toEqual({ status: 422, code: 'too_many_holder_names' });
    expect((await call({ holders: { [m]: ['Bad\u0007name'] } })).status).toBe(400);
    // Nothing was ordered by the refusals: the hold checks out as usual.
    expect((await call({ holders: { [m]: ['Ada'] } })).status).toBe(201);
  });

  it('refunds the whole basket: every line\'s seats back on sale', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types, refundPolicy: 'always' });
    const [floor, balcony] = event.typeIds as [string, string];
    const held = await holdBasket(buyer.token, event.id, [{ typeId: floor, quantity: 1 }, { typeId: balcony, quantity: 2 }]);
    const ids = held.body.holds.map((h: { holdId: string }) => h.holdId) as string[];
    const checkout = await n.api.call('POST', `/api/holds/${ids[0]}/checkout`, { token: buyer.token, body: { provider: 'simulated', basket: ids } });
    await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    await until(async () => (await n.api.call('GET', `/api/orders/${checkout.body.id}`, { token: buyer.token })).body.status === 'ticketed' || null, 'ticketed');
    expect(await availability(event.id)).toEqual([9, 1]);
    expect((await n.api.call('POST', `/api/orders/${checkout.body.id}/refund`, { token: organizer.token })).status).toBe(202);
    await until(async () => (await n.api.call('GET', `/api/orders/${checkout.body.id}`, { token: buyer.token })).body.status === 'refunded' || null, 'refunded');
    await until(async () => JSON.stringify(await availability(event.id)) === '[10,3]' || null, 'the seats back on sale');
    const payout = await n.api.call('GET', `/api/events/${event.id}/payout`, { token: organizer.token });
    expect(payout.body.lines.map((l: { quantity: number; refundedQuantity: number }) => [l.quantity, l.refundedQuantity])).toEqual([[1, 1], [2, 2]]);
  });
});

describe('a basket with a promo code', () => {
  const createCode = (eventId: string, body: Record<string, unknown>) => n.api.call('POST', `/api/events/${eventId}/promo-codes`, { token: organizer.token, body });
  const basketOrder = async (eventId: string, items: { typeId: string; quantity: number }[], promoCode: string) => {
    const held = await holdBasket(buyer.token, eventId, items);
    expect(held.status).toBe(201);
    const ids = (held.body.holds as { holdId: string }[]).map((h) => h.holdId);
    return n.api.call('POST', `/api/holds/${ids[0]}/checkout`, { token: buyer.token, body: { provider: 'simulated', basket: ids, promoCode } });
  };

  it('takes a code for all types off every ticket of every line, per ticket on its list price, and the receipt adds up', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'Floor', price: 2_345, capacity: 10 }, { name: 'Balcony', price: 1_005, capacity: 10 }] });
    const [floor, balcony] = event.typeIds as [string, string];
    expect((await createCode(event.id, { code: 'ALL15', percentOff: 15 })).status).toBe(201);
    const checkout = await basketOrder(event.id, [{ typeId: floor, quantity: 2 }, { typeId: balcony, quantity: 3 }], 'all15');
    expect(checkout.status).toBe(201);
    // 15 % of 2345 = 351.75 → 352 off (1993 paid); of 1005 = 150.75 → 151 off (854 paid): 2 × 1993 + 3 × 854 = 6548.
    expect(checkout.body.lines.map((l: { unitDiscount: number; amount: number }) => [l.unitDiscount, l.amount])).toEqual([[352, 3_986], [151, 2_562]]);
    expect(checkout.body).toMatchObject({ amount: 6_548, discount: 2 * 352 + 3 * 151, promoCode: 'ALL15' });
    await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    const order = await until(async () => {
      const got = (await n.api.call('GET', `/api/orders/${checkout.body.id}`, { token: buyer.token })).body;
      return got.status === 'ticketed' ? got : null;
    }, 'the basket ticketed');
    expect(order.receipt).toMatchObject({
      lines: [{ typeId: floor, quantity: 2, unitPrice: 2_345, amount: 4_690 }, { typeId: balcony, quantity: 3, unitPrice: 1_005, amount: 3_015 }],
      adjustments: [{ kind: 'discount', label: 'ALL15', amount: -1_157 }], total: 6_548,
    });
  });

  it('takes a code for one type off that type\'s lines only, and refuses it for a basket without that type', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types });
    const [floor, balcony] = event.typeIds as [string, string];
    expect((await createCode(event.id, { code: 'BALC', amountOff: 500, typeId: balcony })).status).toBe(201);
    const checkout = await basketOrder(event.id, [{ typeId: floor, quantity: 1 }, { typeId: balcony, quantity: 2 }], 'BALC');
    expect(checkout.status).toBe(201);
    expect(checkout.body.lines.map((l: { unitDiscount: number }) => l.unitDiscount)).toEqual([0, 500]);
    expect(checkout.body).toMatchObject({ amount: 2_500 + 2 * 1_000, discount: 1_000 });
    const refused = await basketOrder(event.id, [{ typeId: floor, quantity: 1 }], 'BALC');
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 422, code: 'promo_not_for_type' });
  });

  it('answers limit_reached with how many the buyer may still take', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: types, perBuyerLimit: 4 });
    const [floor, balcony] = event.typeIds as [string, string];
    expect((await holdBasket(otherBuyer.token, event.id, [{ typeId: floor, quantity: 1 }, { typeId: balcony, quantity: 1 }])).status).toBe(201);
    const over = await holdBasket(otherBuyer.token, event.id, [{ typeId: floor, quantity: 2 }, { typeId: balcony, quantity: 1 }]);
    expect({ status: over.status, code: over.body.error.code, remaining: over.body.error.remaining }).toEqual({ status: 409, code: 'limit_reached', remaining: 2 });
  });
});
