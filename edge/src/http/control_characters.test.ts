import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Control characters (NUL, other C0 controls, DEL, C1) in any text a client
 * sends, in a JSON body, a query string or a path parameter, are answered
 * 400 `control_characters` in the one error shape, never a 500 (security
 * issue #11: a NUL reached Postgres on 14 routes). One table over every route
 * that takes text.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };
let eventId: string;
let typeId: string;
let listId: string;
let holdId: string;
let orderId: string;
let session: string;

beforeAll(async () => {
  n = await startOrdersNode();
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
  const event = await n.api.createEvent(organizer.token);
  [eventId, typeId] = [event.id, event.typeIds[0]!];
  listId = (await n.api.call('POST', `/api/events/${eventId}/checkin/lists`, { token: organizer.token, body: { name: 'Gate A' } })).body.id;
  holdId = (await n.api.hold(buyer.token, eventId, typeId, 1)).body.holdId;
  const order = (await n.api.call('POST', `/api/holds/${holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } })).body;
  [orderId, session] = [order.id, order.payment.providerRef];
  await n.api.call('POST', `/api/payments/simulated/${session}`, { token: buyer.token, body: { outcome: 'pay' } });
  await until(async () => (await n.api.call('GET', `/api/orders/${orderId}`, { token: buyer.token })).body.status === 'ticketed', 'tickets');
});

afterAll(async () => {
  const errors = n?.logged.filter((l) => l.startsWith('error')) ?? [];
  await n?.stop();
  expect(errors).toEqual([]);
});

/** The characters refused, as JSON would carry them. */
const controls = ['\u0000', '\u0001', '\u0009', '\u000a', '\u000d', '\u001b', '\u001f', '\u007f', '\u0085', '\u009f'];
const soon = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

type Row = { route: string; method: string; path: () => string; token: () => string | undefined; body?: (bad: string) => unknown; headers?: Record<string, string> };

const asOrganizer = () => organizer.token;
const asBuyer = () => buyer.token;
const nobody = () => undefined;
const newEvent = (over: Record<string, unknown>) => ({ name: 'Drop', venue: 'Hall', startsAt: soon(), currency: 'EUR', ticketTypes: [{ name: 'GA', price: 100, capacity: 1 }], ...over });

/** JSON bodies: the poisoned text goes into one field per row. */
const bodyRows: Row[] = [
  { route: 'signup name', method: 'POST', path: () => '/api/auth/signup', token: nobody, body: (b) => ({ email: `x${randomUUID()}@t.test`, password: 'correct horse battery', name: `Ada${b}`, role: 'participant' }) },
  { route: 'signup email', method: 'POST', path: () => '/api/auth/signup', token: nobody, body: (b) => ({ email: `x${b}@t.test`, password: 'correct horse battery', name: 'Ada', role: 'participant' }) },
  { route: 'signup role', method: 'POST', path: () => '/api/auth/signup', token: nobody, body: (b) => ({ email: `x${randomUUID()}@t.test`, password: 'correct horse battery', name: 'Ada', role: `participant${b}` }) },
  { route: 'signin email', method: 'POST', path: () => '/api/auth/signin', token: nobody, body: (b) => ({ email: `nobody${b}@t.test`, password: 'whatever' }) },
  { route: 'create event name', method: 'POST', path: () => '/api/events', token: asOrganizer, body: (b) => newEvent({ name: `Drop${b}` }) },
  { route: 'create event venue', method: 'POST', path: () => '/api/events', token: asOrganizer, body: (b) => newEvent({ venue: `Hall${b}` }) },
  { route: 'create event type name', method: 'POST', path: () => '/api/events', token: asOrganizer, body: (b) => newEvent({ ticketTypes: [{ name: `GA${b}`, price: 100, capacity: 1 }] }) },
  { route: 'create event currency', method: 'POST', path: () => '/api/events', token: asOrganizer, body: (b) => newEvent({ currency: `EU${b}` }) },
  { route: 'create event field name', method: 'POST', path: () => '/api/events', token: asOrganizer, body: (b) => ({ ...newEvent({}), [`na${b}me`]: 'x' }) },
  { route: 'patch event name', method: 'PATCH', path: () => `/api/events/${eventId}`, token: asOrganizer, body: (b) => ({ name: `Drop${b}` }) },
  { route: 'patch event venue', method: 'PATCH', path: () => `/api/events/${eventId}`, token: asOrganizer, body: (b) => ({ venue: `Hall${b}` }) },
  { route: 'patch event type name', method: 'PATCH', path: () => `/api/events/${eventId}`, token: asOrganizer, body: (b) => ({ ticketTypes: [{ id: typeId, name: `GA${b}` }] }) },
  { route: 'hold typeId', method: 'POST', path: () => `/api/events/${eventId}/holds`, token: asBuyer, body: (b) => ({ typeId: `${typeId}${b}`, quantity: 1 }), headers: { 'idempotency-key': randomUUID() } },
  { route: 'checkout provider', method: 'POST', path: () => `/api/holds/${holdId}/checkout`, token: asBuyer, body: (b) => ({ provider: `stripe${b}` }) },
  { route: 'simulated payment outcome', method: 'POST', path: () => `/api/payments/simulated/${session}`, token: asBuyer, body: (b) => ({ outcome: `pay${b}` }) },
  { route: 'refund body', method: 'POST', path: () => `/api/orders/${orderId}/refund`, token: asOrganizer, body: (b) => ({ [`refund${b}`]: true }) },
  { route: 'check-in gate', method: 'POST', path: () => '/api/checkin', token: asOrganizer, body: (b) => ({ list: listId, ticketId: randomUUID(), gate: `North${b}` }) },
  { route: 'check-in device', method: 'POST', path: () => '/api/checkin', token: asOrganizer, body: (b) => ({ list: listId, ticketId: randomUUID(), device: `phone${b}` }) },
  { route: 'check-in secret', method: 'POST', path: () => '/api/checkin', token: asOrganizer, body: (b) => ({ list: listId, secret: `TK1:${b}` }) },
  { route: 'sync gate', method: 'POST', path: () => '/api/checkin/sync', token: asOrganizer, body: (b) => ({ list: listId, scans: [{ ticketId: randomUUID(), scannedAt: new Date().toISOString(), gate: `North${b}`, device: 'phone' }] }) },
  { route: 'sync device', method: 'POST', path: () => '/api/checkin/sync', token: asOrganizer, body: (b) => ({ list: listId, scans: [{ ticketId: randomUUID(), scannedAt: new Date().toISOString(), gate: 'North', device: `phone${b}` }] }) },
  { route: 'create list name', method: 'POST', path: () => `/api/events/${eventId}/checkin/lists`, token: asOrganizer, body: (b) => ({ name: `Gate${b}` }) },
  { route: 'patch list name', method: 'PATCH', path: () => `/api/events/${eventId}/checkin/lists/${listId}`, token: asOrganizer, body: (b) => ({ name: `Gate${b}` }) },
  { route: 'staff name', method: 'POST', path: () => `/api/events/${eventId}/staff`, token: asOrganizer, body: (b) => ({ email: `s${randomUUID()}@t.test`, name: `Sam${b}`, password: 'correct horse battery' }) },
  { route: 'staff email', method: 'POST', path: () => `/api/events/${eventId}/staff`, token: asOrganizer, body: (b) => ({ email: `s${b}@t.test` }) },
  { route: 'queue settings date', method: 'PATCH', path: () => `/api/events/${eventId}/queue/settings`, token: asOrganizer, body: (b) => ({ waitingRoomOpensAt: `2027-01-01T00:00:00Z${b}` }) },
  { route: 'queue join nonce', method: 'POST', path: () => `/api/events/${eventId}/queue`, token: asBuyer, body: (b) => ({ pow: { issuedAt: Date.now(), nonce: `abc${b}` } }) },
  { route: 'admission queue ticket', method: 'POST', path: () => `/api/events/${eventId}/admission`, token: asBuyer, body: (b) => ({ queueTicket: `qt${b}` }) },
];

/** Query strings and path parameters: the poisoned text is percent-encoded, as a client sends it. */
const urlRows: Row[] = [
  { route: 'events ?mine', method: 'GET', path: () => '/api/events?mine=1%00', token: asOrganizer },
  { route: 'check-in lookup ?q', method: 'GET', path: () => `/api/events/${eventId}/checkin/lookup?q=Ad%00a`, token: asOrganizer },
  { route: 'check-in lookup ?orderId', method: 'GET', path: () => `/api/events/${eventId}/checkin/lookup?orderId=%01`, token: asOrganizer },
  { route: 'dev mail ?to', method: 'GET', path: () => '/api/dev/mail?to=a%00b', token: nobody },
  { route: 'sales ?bucket', method: 'GET', path: () => `/api/events/${eventId}/sales?bucket=minute%0a`, token: asOrganizer },
  { route: 'payout ?format', method: 'GET', path: () => `/api/events/${eventId}/payout?format=csv%1b`, token: asOrganizer },
  { route: 'clictopay return ?orderId', method: 'GET', path: () => '/api/payments/clictopay/return?orderId=%00', token: nobody },
  { route: 'konnect webhook ?payment_ref', method: 'GET', path: () => '/api/payments/konnect/webhook?payment_ref=%00', token: nobody },
  { route: 'konnect return ?payment', method: 'GET', path: () => '/api/payments/konnect/return?payment=%00', token: nobody },
  { route: 'query parameter name', method: 'GET', path: () => '/api/events?mi%00ne=1', token: asOrganizer },
  { route: 'event id', method: 'GET', path: () => '/api/events/%00', token: nobody },
  { route: 'hold id', method: 'GET', path: () => `/api/holds/${holdId}%00`, token: asBuyer },
  { route: 'order id', method: 'GET', path: () => '/api/orders/%7f', token: asBuyer },
  { route: 'order tickets id', method: 'GET', path: () => '/api/orders/%1b/tickets', token: asBuyer },
  { route: 'simulated session', method: 'GET', path: () => '/api/payments/simulated/sim_%00', token: asBuyer },
  { route: 'list id', method: 'DELETE', path: () => `/api/events/${eventId}/checkin/lists/%00`, token: asOrganizer },
  { route: 'staff account id', method: 'DELETE', path: () => `/api/events/${eventId}/staff/%0d%0a`, token: asOrganizer },
  { route: 'ticket id', method: 'POST', path: () => '/api/tickets/%c2%85/reissue', token: asBuyer },
];

async function send(row: Row, bad: string): Promise<{ status: number; body: { error?: { code?: string; message?: unknown; field?: unknown } } }> {
  const headers: Record<string, string> = { ...row.headers };
  const token = row.token();
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (row.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(n.base + row.path(), { method: row.method, headers, body: row.body === undefined ? undefined : JSON.stringify(row.body(bad)) });
  return { status: response.status, body: (await response.json()) as { error?: { code?: string; message?: unknown; field?: unknown } } };
}

function expectRefused(answer: Awaited<ReturnType<typeof send>>, route: string): void {
  expect({ route, status: answer.status, code: answer.body.error?.code }).toEqual({ route, status: 400, code: 'control_characters' });
  expect(answer.body.error?.message).toMatch(/control characters/);
}

describe('control characters in text', () => {
  it.each(bodyRows.map((r) => [r.route, r] as const))('refuses a NUL in the body: %s', async (route, row) => {
    expectRefused(await send(row, '\u0000'), route);
  });

  it.each(urlRows.map((r) => [r.route, r] as const))('refuses a NUL in the URL: %s', async (route, row) => {
    expectRefused(await send(row, ''), route);
  });

  it('refuses every C0 control, DEL and C1 control, and names the field', async () => {
    const row = bodyRows.find((r) => r.route === 'create event type name')!;
    for (const bad of controls) {
      const answer = await send(row, bad);
      expectRefused(answer, `U+${bad.charCodeAt(0).toString(16)}`);
      expect(answer.body.error?.field).toBe('ticketTypes[0].name');
    }
  });

  it('still takes text without control characters, accents and emoji included', async () => {
    const ok = await n.api.call('PATCH', `/api/events/${eventId}`, { token: organizer.token, body: { name: 'Fête de la musique 🎶', venue: 'Théâtre « Municipal »' } });
    expect(ok.status).toBe(200);
    const lookup = await n.api.call('GET', `/api/events/${eventId}/checkin/lookup?q=${encodeURIComponent('Zoë')}`, { token: organizer.token });
    expect(lookup.status).toBe(200);
  });
});
