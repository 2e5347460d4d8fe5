import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertOperator } from '../../../engine/src/db/accounts.ts';
import { hashPassword } from '../auth/passwords.ts';
import { signUp } from '../../../engine/src/testing/kit.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Cancelling an event (#15) through the API, on a real node with its jobs:
 * who may, the confirmation, sales stopped at once (holds refused, open holds
 * released), every paid order refunded through its provider (Konnect by hand),
 * every ticket refused at the door, every buyer told once in their language
 * and by the channel they chose, and the progress the dashboard shows. Then
 * the attendee list as CSV: who may, and what it holds.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let organizer2: { token: string; id: string };
let operatorToken: string;
const password = 'correct horse battery';

beforeAll(async () => {
  n = await startOrdersNode();
  await upsertOperator(n.t.db, 'ops@tickr.test', await hashPassword('operator-password-1'), 'Operator');
  operatorToken = (await n.api.call('POST', '/api/auth/signin', { body: { email: 'ops@tickr.test', password: 'operator-password-1' } })).body.token;
  [organizer, organizer2] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('organizer', 'org2')]);
});

afterAll(async () => {
  const problems = n?.logged.filter((l) => l.includes(' failed:')) ?? [];
  await n?.stop();
  expect(problems).toEqual([]);
});

type Buyer = { token: string; id: string; email: string };

const buyer = (name: string, extra: Record<string, unknown> = {}): Promise<Buyer> => signUp(n.api.call, 'participant', { name, password, extra });

async function paidOrder(eventId: string, typeId: string, who: Buyer, qty: number, locale = 'en'): Promise<string> {
  const hold = await n.api.hold(who.token, eventId, typeId, qty);
  expect(hold.status).toBe(201);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: who.token, body: { provider: 'simulated', locale } });
  await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: who.token, body: { outcome: 'pay' } });
  await until(async () => (await orderStatus(checkout.body.id)) === 'ticketed', 'tickets');
  return checkout.body.id as string;
}

const orderStatus = async (id: string) => (await n.t.db.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status as string;
const count = async (sql: string, values: unknown[]) => (await n.t.db.query(sql, values)).rows[0].c as number;
const cancel = (eventId: string, eventName: string, token = organizer.token) => n.api.call('POST', `/api/events/${eventId}/cancel`, { token, body: { eventName } });
const progress = async (eventId: string, token = organizer.token) => (await n.api.call('GET', `/api/events/${eventId}/cancellation`, { token }));

describe('POST /api/events/:id/cancel', () => {
  it('answers another organizer like a missing event, refuses a participant, and cancels nothing without the event\'s name', async () => {
    const event = await n.api.createEvent(organizer.token, { name: 'Jazz à Carthage' });
    const participant = await buyer('Pat');
    expect((await cancel(event.id, 'Jazz à Carthage', organizer2.token))).toMatchObject({ status: 404, body: { error: { code: 'event_not_found' } } });
    expect((await cancel(event.id, 'Jazz à Carthage', participant.token))).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await cancel(event.id, 'Jazz'))).toMatchObject({ status: 422, body: { error: { code: 'confirmation_mismatch', field: 'eventName' } } });
    expect((await n.api.call('POST', `/api/events/${event.id}/cancel`, { token: organizer.token, body: {} })).status).toBe(400);
    expect((await n.api.call('POST', `/api/events/${randomUUID()}/cancel`, { token: organizer.token, body: { eventName: 'x' } })).status).toBe(404);
    expect((await progress(event.id)).body).toEqual({ cancellation: null });
    expect((await progress(event.id, organizer2.token)).status).toBe(404);
    expect((await n.api.call('GET', `/api/events/${event.id}`)).body.cancelledAt).toBeNull();
  });

  it('stops the sales, refunds every paid order once, revokes every ticket and tells every buyer once, in their language and by their channel', async () => {
    const name = '  Festival   de Jazz ';
    const event = await n.api.createEvent(organizer.token, { name: 'Festival de Jazz', perBuyerLimit: 10, ticketTypes: [{ name: 'GA', price: 2_000, capacity: 50 }] });
    const typeId = event.typeIds[0]!;
    const [amira, bob, sami, late] = await Promise.all([
      buyer('Amira'), buyer('Bob'), buyer('Sami', { phone: '20 123 456', notify: 'sms' }), buyer('Late'),
    ]);
    const orders = [await paidOrder(event.id, typeId, amira, 2, 'fr'), await paidOrder(event.id, typeId, bob, 1), await paidOrder(event.id, typeId, sami, 1, 'ar')];
    const open = await n.api.hold(late.token, event.id, typeId, 3);
    expect(open.status).toBe(201);

    const first = await cancel(event.id, name);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ eventId: event.id, state: expect.stringMatching(/stopping|refunding|done/) });
    // At once: no new hold, every ticket revoked, the event shows as cancelled.
    expect((await n.api.hold(late.token, event.id, typeId, 1))).toMatchObject({ status: 410, body: { error: { code: 'event_cancelled' } } });
    expect(await count(`SELECT count(*)::int AS c FROM tickets WHERE event_id = $1 AND status <> 'revoked'`, [event.id])).toBe(0);
    expect((await n.api.call('GET', `/api/events/${event.id}`)).body.cancelledAt).toEqual(expect.any(String));

    const done = await until(async () => {
      const p = (await progress(event.id)).body.cancellation;
      return p.state === 'done' ? p : null;
    }, 'the cancellation done');
    expect(done.orders).toEqual({ total: 3, refunded: 3, manualWaiting: 0 });
    for (const id of orders) expect(await orderStatus(id)).toBe('refunded');
    expect(await count(`SELECT count(*)::int AS c FROM payments WHERE order_id = ANY($1::uuid[]) AND status = 'refunded' AND refund_ref = 'simref_refund-' || order_id`, [orders])).toBe(3);

    // The open hold went back, and the sold seats too: nothing held or sold on a cancelled event.
    const view = (await n.api.call('GET', `/api/events/${event.id}`)).body;
    expect({ sold: view.ticketTypes[0].sold, held: view.ticketTypes[0].held }).toEqual({ sold: 0, held: 0 });

    // Told once each: Amira by email in French, Bob by email in English, Sami by SMS in Arabic.
    const emails = (await n.t.db.query(`SELECT to_address AS to, locale, subject, body_text AS text FROM email_outbox WHERE key = ANY($1::text[]) ORDER BY locale`, [orders.map((o) => `refund_notice:${o}`)])).rows;
    expect(emails.map((e) => [e.to, e.locale])).toEqual([[bob.email, 'en'], [amira.email, 'fr']]);
    expect(emails[1].subject).toBe('Festival de Jazz est annulé : votre remboursement');
    expect(emails[1].text).toContain('L’organisateur a annulé cet événement.');
    const texts = (await n.t.db.query(`SELECT to_phone, locale, body FROM sms_outbox WHERE key = ANY($1::text[])`, [orders.map((o) => `refund_notice:${o}`)])).rows;
    expect(texts).toEqual([{ to_phone: '+21620123456', locale: 'ar', body: expect.stringContaining('أُلغي Festival de Jazz') }]);

    // Asking again answers the cancellation as it stands, and changes nothing.
    const again = await cancel(event.id, 'whatever the name');
    expect(again).toMatchObject({ status: 200, body: { state: 'done', orders: { total: 3, refunded: 3 } } });
    expect(await count(`SELECT count(*)::int AS c FROM email_outbox WHERE template = 'refund_notice' AND data->>'eventName' = 'Festival de Jazz'`, [])).toBe(2);
  });

  it('sends a Konnect order to an operator as a manual refund, counted as waiting until it is recorded', async () => {
    const event = await n.api.createEvent(organizer.token, { name: 'Soirée e-Dinar', currency: 'TND', ticketTypes: [{ name: 'GA', price: 25_500, capacity: 10 }] });
    const who = await buyer('Hela');
    const hold = await n.api.hold(who.token, event.id, event.typeIds[0]!, 1);
    const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: who.token, body: { provider: 'konnect', locale: 'fr' } });
    const ref = checkout.body.payment.providerRef as string;
    await n.konnect.complete(ref, { notify: false });
    expect((await fetch(`${n.base}/api/payments/konnect/webhook?payment_ref=${ref}`)).status).toBe(200);
    await until(async () => (await orderStatus(checkout.body.id)) === 'ticketed', 'tickets');

    expect((await cancel(event.id, 'Soirée e-Dinar')).status).toBe(202);
    const waiting = await until(async () => {
      const p = (await progress(event.id)).body.cancellation;
      return p.orders.manualWaiting === 1 ? p : null;
    }, 'the manual refund');
    expect(waiting).toMatchObject({ state: 'refunding', orders: { total: 1, refunded: 0, manualWaiting: 1 } });
    // An operator follows it too.
    expect((await progress(event.id, operatorToken)).body.cancellation.orders.manualWaiting).toBe(1);

    const recorded = await n.api.call('POST', `/api/ops/refunds/manual/${checkout.body.id}`, { token: operatorToken, body: { reference: 'KNT-42' } });
    expect(recorded.status).toBe(200);
    const done = await until(async () => {
      const p = (await progress(event.id)).body.cancellation;
      return p.state === 'done' ? p : null;
    }, 'the cancellation done');
    expect(done.orders).toEqual({ total: 1, refunded: 1, manualWaiting: 0 });
    expect(await count(`SELECT count(*)::int AS c FROM email_outbox WHERE key = $1 AND locale = 'fr'`, [`refund_notice:${checkout.body.id}`])).toBe(1);
  });
});

describe('the door of a cancelled event', () => {
  it('refuses its tickets online', async () => {
    const event = await n.api.createEvent(organizer.token, { name: 'Door test' });
    const who = await buyer('Dina');
    const orderId = await paidOrder(event.id, event.typeIds[0]!, who, 1);
    const ticket = (await n.api.call('GET', `/api/orders/${orderId}/tickets`, { token: who.token })).body.tickets[0];
    const list = (await n.api.call('POST', `/api/events/${event.id}/checkin/lists`, { token: organizer.token, body: { name: 'Main gate' } })).body.id;
    expect((await cancel(event.id, 'Door test')).status).toBe(202);
    const scan = await n.api.call('POST', '/api/checkin', { token: organizer.token, body: { list, secret: ticket.secret } });
    expect(scan.body).toMatchObject({ outcome: 'revoked' });
    const keys = (await n.api.call('GET', `/api/events/${event.id}/keys`)).body;
    expect(JSON.stringify(keys)).toContain(ticket.id);
  });
});

describe('GET /api/events/:id/attendees', () => {
  it('lists each admitting ticket as CSV (BOM, RFC 4180, formulas neutralised, check-in time in the event\'s zone), to its organizer and operators only', async () => {
    const event = await n.api.createEvent(organizer.token, { name: 'CSV night', timeZone: 'Africa/Tunis', ticketTypes: [{ name: 'Fosse, debout', price: 1_000, capacity: 20 }] });
    const evil = await buyer('=HYPERLINK("http://evil.example","x")');
    const plain = await buyer('Nour "the quiet"');
    const evilOrder = await paidOrder(event.id, event.typeIds[0]!, evil, 1);
    const plainOrder = await paidOrder(event.id, event.typeIds[0]!, plain, 2);
    const list = (await n.api.call('POST', `/api/events/${event.id}/checkin/lists`, { token: organizer.token, body: { name: 'Gate' } })).body.id;
    const evilTicket = (await n.api.call('GET', `/api/orders/${evilOrder}/tickets`, { token: evil.token })).body.tickets[0];
    expect((await n.api.call('POST', '/api/checkin', { token: organizer.token, body: { list, secret: evilTicket.secret } })).body.outcome).toBe('valid');
    await n.t.db.query(`UPDATE tickets SET used_at = '2026-07-01T20:05:09Z' WHERE id = $1`, [evilTicket.id]);

    const get = (token: string | null) => fetch(`${n.base}/api/events/${event.id}/attendees`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    expect((await get(null)).status).toBe(401);
    expect((await get(evil.token)).status).toBe(403);
    expect((await get(organizer2.token)).status).toBe(404);
    expect((await get(operatorToken)).status).toBe(200);

    const answer = await get(organizer.token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="attendees-${event.id}.csv"`);
    const bytes = Buffer.from(await answer.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('Name,Email,Ticket type,Order,Ticket,Checked in,Checked in at (Africa/Tunis)');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1);
    expect(rows).toHaveLength(3);
    // Tunis is UTC+1: 20:05:09Z is 21:05:09 there.
    expect(rows).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")",${evil.email},"Fosse, debout",${evilOrder},${evilTicket.id},yes,2026-07-01 21:05:09`);
    expect(rows.filter((r) => r.startsWith(`"Nour ""the quiet""",${plain.email},"Fosse, debout",${plainOrder},`) && r.endsWith(',no,'))).toHaveLength(2);
  });

  it('pages through a large event without missing or repeating a ticket', async () => {
    const { attendeesCsv } = await import('../../../engine/src/checkin/attendees.ts');
    const event = await n.api.createEvent(organizer.token, { name: 'Paged', ticketTypes: [{ name: 'GA', price: 1_000, capacity: 50 }] });
    const who = await buyer('Page');
    await paidOrder(event.id, event.typeIds[0]!, who, 7);
    const chunks: string[] = [];
    for await (const chunk of attendeesCsv(n.t.db, { id: event.id, timeZone: 'UTC' }, 3)) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    const ids = chunks.join('').split('\r\n').slice(1, -1).map((l) => l.split(',')[4]);
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort()).toEqual(ids);
  });
});
