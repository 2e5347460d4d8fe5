import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/** Promo codes through the API: the organizer's codes, checkout at the discounted price, the cap under parallel checkouts, the payout. */

let n: OrdersNode;
let organizer: { token: string; id: string };
let otherOrganizer: { token: string; id: string };
let buyer: { token: string; id: string };

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, otherOrganizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('organizer', 'org2'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  await n?.stop();
});

const status = async (id: string) => (await n.t.db.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status as string;
const createCode = (eventId: string, body: Record<string, unknown>, token = organizer.token) => n.api.call('POST', `/api/events/${eventId}/promo-codes`, { token, body });

async function holdOne(eventId: string, typeId: string, qty = 1, who = buyer): Promise<string> {
  const hold = await n.api.hold(who.token, eventId, typeId, qty);
  expect(hold.status).toBe(201);
  return hold.body.holdId as string;
}

const checkout = (holdId: string, promoCode?: string, who = buyer) =>
  n.api.call('POST', `/api/holds/${holdId}/checkout`, { token: who.token, body: promoCode === undefined ? {} : { promoCode } });

async function pay(order: { id: string; payment: { providerRef: string } }): Promise<void> {
  await n.api.call('POST', `/api/payments/simulated/${order.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
  await until(async () => (await status(order.id)) === 'ticketed', 'tickets');
}

describe('promo codes: the organizer', () => {
  it('creates, lists and disables codes; codes are case-insensitive and unique per event', async () => {
    const event = await n.api.createEvent(organizer.token);
    const made = await createCode(event.id, { code: 'spring25', percentOff: 25, maxUses: 10 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ code: 'SPRING25', percentOff: 25, amountOff: null, typeId: null, maxUses: 10, uses: 0, disabledAt: null });
    expect((await createCode(event.id, { code: 'Spring25', amountOff: 100 })).body.error.code).toBe('promo_code_taken');
    // Another event may have the same code.
    const other = await n.api.createEvent(organizer.token);
    expect((await createCode(other.id, { code: 'SPRING25', amountOff: 100 })).status).toBe(201);

    const list = await n.api.call('GET', `/api/events/${event.id}/promo-codes`, { token: organizer.token });
    expect(list.body.codes.map((c: { code: string }) => c.code)).toEqual(['SPRING25']);
    const disabled = await n.api.call('POST', `/api/events/${event.id}/promo-codes/spring25/disable`, { token: organizer.token });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).not.toBeNull();
    expect((await checkout(await holdOne(event.id, event.typeIds[0]!), 'SPRING25')).body.error.code).toBe('promo_invalid');
  });

  it('refuses terms that break the rule with a sentence, never a 5xx', async () => {
    const event = await n.api.createEvent(organizer.token);
    const cases: [Record<string, unknown>, number][] = [
      [{ code: 'BOTH', percentOff: 10, amountOff: 100 }, 400],
      [{ code: 'NONE' }, 400],
      [{ code: 'X', percentOff: 10 }, 400],
      [{ code: 'BAD CODE', percentOff: 10 }, 400],
      [{ code: 'PCT', percentOff: 101 }, 400],
      [{ code: 'PCT0', percentOff: 0 }, 400],
      [{ code: 'NEG', amountOff: -5 }, 400],
      [{ code: 'WINDOW', percentOff: 10, startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, 400],
      [{ code: 'TYPE', percentOff: 10, typeId: '00000000-0000-4000-8000-000000000000' }, 422],
    ];
    for (const [body, expected] of cases) {
      const answer = await createCode(event.id, body);
      expect(answer.status, JSON.stringify(body)).toBe(expected);
      expect(answer.body.error.message.length).toBeGreaterThan(10);
    }
  });

  it('another organizer can neither see nor touch an event\'s codes; a buyer cannot manage them', async () => {
    const event = await n.api.createEvent(organizer.token);
    expect((await createCode(event.id, { code: 'MINE', percentOff: 10 })).status).toBe(201);
    expect((await n.api.call('GET', `/api/events/${event.id}/promo-codes`, { token: otherOrganizer.token })).status).toBe(404);
    expect((await createCode(event.id, { code: 'THEIRS', percentOff: 90 }, otherOrganizer.token)).status).toBe(404);
    expect((await n.api.call('POST', `/api/events/${event.id}/promo-codes/MINE/disable`, { token: otherOrganizer.token })).status).toBe(404);
    expect((await n.api.call('GET', `/api/events/${event.id}/promo-codes`, { token: buyer.token })).status).toBe(403);
    const list = await n.api.call('GET', `/api/events/${event.id}/promo-codes`, { token: organizer.token });
    expect(list.body.codes).toMatchObject([{ code: 'MINE', disabledAt: null }]);
  });
});

describe('promo codes: the buyer', () => {
  it('a quote, then a checkout charged the discounted price; the payout shows the discount and takes the fee on the price paid', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'General', price: 2_000, capacity: 50 }, { name: 'VIP', price: 9_999, capacity: 5 }] });
    const [ga, vip] = event.typeIds as [string, string];
    expect((await createCode(event.id, { code: 'QUARTER', percentOff: 25, typeId: ga })).status).toBe(201);
    const holdId = await holdOne(event.id, ga, 2);
    const quote = await n.api.call('GET', `/api/holds/${holdId}/promo?code=quarter`, { token: buyer.token });
    expect(quote.body).toMatchObject({ code: 'QUARTER', unitPrice: 2_000, unitDiscount: 500, discount: 1_000, amount: 3_000 });

    const order = await checkout(holdId, 'quarter');
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ unitPrice: 2_000, unitDiscount: 500, discount: 1_000, amount: 3_000, promoCode: 'QUARTER' });
    const payment = (await n.t.db.query('SELECT amount FROM payments WHERE order_id = $1', [order.body.id])).rows[0];
    expect(payment.amount).toBe(3_000);
    // Asking again with another code does not reprice the order.
    expect((await checkout(holdId, 'OTHER')).body.error.code).toBe('already_checked_out');
    expect((await checkout(holdId)).status).toBe(200);
    await pay(order.body);

    // The code is for General only.
    expect((await checkout(await holdOne(event.id, vip), 'QUARTER')).body.error.code).toBe('promo_not_for_type');
    expect((await checkout(await holdOne(event.id, ga), 'NOPE')).body.error.code).toBe('promo_invalid');

    const report = await n.api.call('GET', `/api/events/${event.id}/payout`, { token: organizer.token });
    // 2 × 20.00 list, 2 × 5.00 off, fee 4 % of 15.00 = 0.60 per ticket.
    expect(report.body).toMatchObject({ gross: 4_000, discounts: 1_000, fees: 120, refunds: 0, net: 2_880 });
    expect(report.body.lines[0]).toMatchObject({ price: 2_000, discountPerTicket: 500, paidPrice: 1_500, feePerTicket: 60 });
  });

  it('refuses a code outside its window', async () => {
    const event = await n.api.createEvent(organizer.token);
    const typeId = event.typeIds[0]!;
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    await createCode(event.id, { code: 'LATER', amountOff: 100, startsAt: future });
    await createCode(event.id, { code: 'OVER', amountOff: 100, startsAt: new Date(Date.now() - 2 * 86_400_000).toISOString(), endsAt: past });
    expect((await checkout(await holdOne(event.id, typeId), 'LATER')).body.error.code).toBe('promo_not_started');
    expect((await checkout(await holdOne(event.id, typeId), 'OVER')).body.error.code).toBe('promo_expired');
  });

  it('an amount off larger than the price makes a free ticket, never a negative charge', async () => {
    const event = await n.api.createEvent(organizer.token, { ticketTypes: [{ name: 'Cheap', price: 300, capacity: 5 }] });
    await createCode(event.id, { code: 'FREEBIE', amountOff: 1_000 });
    const order = await checkout(await holdOne(event.id, event.typeIds[0]!), 'FREEBIE');
    expect(order.body).toMatchObject({ unitPrice: 300, unitDiscount: 300, amount: 0 });
  });
});

describe('promo codes: the cap on uses', () => {
  it('holds under parallel checkouts: with a cap of 3, exactly 3 of 12 checkouts get the code', async () => {
    const event = await n.api.createEvent(organizer.token, { perBuyerLimit: 20 });
    const typeId = event.typeIds[0]!;
    await createCode(event.id, { code: 'FIRST3', percentOff: 50, maxUses: 3 });
    const holds = await Promise.all(Array.from({ length: 12 }, () => holdOne(event.id, typeId)));
    const answers = await Promise.all(holds.map((h) => checkout(h, 'first3')));
    const won = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(won).toHaveLength(3);
    for (const a of won) expect(a.body).toMatchObject({ amount: 2_500, promoCode: 'FIRST3' });
    expect(refused.map((a) => `${a.status} ${a.body.error.code}`)).toEqual(Array(9).fill('409 promo_used_up'));
    const { rows } = await n.t.db.query(
      `SELECT count(*)::int AS n FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_code_id WHERE c.event_id = $1 AND r.released_at IS NULL`, [event.id]);
    expect(rows[0].n).toBe(3);
    const list = await n.api.call('GET', `/api/events/${event.id}/promo-codes`, { token: organizer.token });
    expect(list.body.codes[0]).toMatchObject({ uses: 3, maxUses: 3 });
  });

  it('two checkouts of one hold racing for a code\'s last use answer the same order', async () => {
    const event = await n.api.createEvent(organizer.token);
    await createCode(event.id, { code: 'LAST', percentOff: 10, maxUses: 1 });
    const holdId = await holdOne(event.id, event.typeIds[0]!);
    const answers = await Promise.all([checkout(holdId, 'LAST'), checkout(holdId, 'LAST'), checkout(holdId, 'LAST')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  });

  it('gives a use back when its order\'s hold ends unpaid, and a late payment then finds the code used up and is refunded', async () => {
    const event = await n.api.createEvent(organizer.token, { perBuyerLimit: 20 });
    const typeId = event.typeIds[0]!;
    await createCode(event.id, { code: 'ONCE', amountOff: 1_000, maxUses: 1 });
    const firstHold = await holdOne(event.id, typeId);
    const first = await checkout(firstHold, 'ONCE');
    expect(first.status).toBe(201);
    expect((await checkout(await holdOne(event.id, typeId), 'ONCE')).body.error.code).toBe('promo_used_up');

    // The first buyer lets the hold go without paying: the next checkout finds the use free again.
    expect((await n.api.call('DELETE', `/api/holds/${firstHold}`, { token: buyer.token })).status).toBe(200);
    expect((await n.api.call('GET', `/api/holds/${firstHold}/promo?code=ONCE`, { token: buyer.token })).body.error.code).toBe('hold_expired');
    const second = await checkout(await holdOne(event.id, typeId), 'ONCE');
    expect(second.status).toBe(201);
    expect(await status(first.body.id)).toBe('expired');

    // The first order's payment still arrives: its use went to the second order, so it is refunded, never sold over the cap.
    await n.api.call('POST', `/api/payments/simulated/${first.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    await until(async () => (await status(first.body.id)) === 'refunded', 'the late payment refunded');
    const failure = (await n.t.db.query('SELECT failure FROM orders WHERE id = $1', [first.body.id])).rows[0].failure;
    expect(failure).toBe('late_payment_promo_used_up');
    await pay(second.body);
    const list = await n.api.call('GET', `/api/events/${event.id}/promo-codes`, { token: organizer.token });
    expect(list.body.codes[0]).toMatchObject({ uses: 1, maxUses: 1 });
  });

  it('a declined payment whose hold went back gives its use back to the next checkout', async () => {
    const event = await n.api.createEvent(organizer.token, { perBuyerLimit: 20 });
    const typeId = event.typeIds[0]!;
    await createCode(event.id, { code: 'DECLINED', percentOff: 10, maxUses: 1 });
    const first = await checkout(await holdOne(event.id, typeId), 'DECLINED');
    expect(first.status).toBe(201);
    await n.api.call('POST', `/api/payments/simulated/${first.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'decline' } });
    await until(async () => (await status(first.body.id)) === 'failed', 'the decline');
    // The decline releases the hold; the use is given back when a checkout finds the code used up.
    const second = await until(async () => {
      const answer = await checkout(await holdOne(event.id, typeId), 'DECLINED');
      return answer.status === 201 ? answer : null;
    }, 'the use given back');
    expect(second.body).toMatchObject({ promoCode: 'DECLINED', amount: 4_500 });
    const uses = await n.t.db.query('SELECT order_id, released_at IS NOT NULL AS released FROM promo_redemptions WHERE order_id = ANY($1::uuid[]) ORDER BY claimed_at', [[first.body.id, second.body.id]]);
    expect(uses.rows).toEqual([{ order_id: first.body.id, released: true }, { order_id: second.body.id, released: false }]);
  });
});
