import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../../engine/src/config.ts';
import { eventReminderJob } from '../../../engine/src/mail/reminder_job.ts';
import type { Answer } from '../../../engine/src/testing/api.ts';
import { createServer } from '../server.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Tickets by SMS (#14) end to end on a real node in development (no SNS, so
 * texts go to the dev SMS outbox): the phone and notice choice at sign-up and
 * on PATCH /api/account, refusals that say what to fix, a purchase and a
 * refund told by SMS to a buyer who chose it, and GET /api/dev/sms.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
const password = 'correct horse battery';

beforeAll(async () => {
  n = await startOrdersNode();
  organizer = await n.api.signup('organizer', 'org');
});

afterAll(async () => {
  const problems = n?.logged.filter((l) => l.includes('failed')) ?? [];
  await n?.stop();
  expect(problems).toEqual([]);
});

function expectError(a: Answer, status: number, code: string, message?: RegExp): void {
  expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status, code });
  if (message) expect(a.body.error.message).toMatch(message);
}

const signup = (extra: Record<string, unknown>) =>
  n.api.call('POST', '/api/auth/signup', { body: { email: `sms-${randomUUID()}@test.tickr`, password, name: 'Salma', role: 'participant', ...extra } });
const patch = (token: string, body: unknown) => n.api.call('PATCH', '/api/account', { token, body });
const devSms = (to: string) => n.api.call('GET', `/api/dev/sms?to=${encodeURIComponent(to)}`);

describe('phone and notice choice', () => {
  it('takes a national Tunisian number at sign-up, stores it in E.164, and keeps email as the default choice', async () => {
    const plain = await signup({});
    expect(plain.status).toBe(201);
    expect(plain.body.account).toMatchObject({ phone: null, country: null, notify: 'email' });
    const withPhone = await signup({ phone: '20 123 456', notify: 'both' });
    expect(withPhone.status).toBe(201);
    expect(withPhone.body.account).toMatchObject({ phone: '+21620123456', notify: 'both' });
    const me = await n.api.call('GET', '/api/auth/account', { token: withPhone.body.token });
    expect(me.body).toMatchObject({ phone: '+21620123456', notify: 'both', smsAvailable: true });
  });

  it('reads a national number in the account\'s country when one is given', async () => {
    const french = await signup({ phone: '06 12 34 56 78', country: 'fr', notify: 'sms' });
    expect(french.status).toBe(201);
    expect(french.body.account).toMatchObject({ phone: '+33612345678', country: 'FR', notify: 'sms' });
  });

  it('refuses a bad number with 400 and a message that says what to fix; no account is made', async () => {
    expectError(await signup({ phone: '20 12' }), 400, 'invalid_phone', /too short.*"20 123 456"/);
    expectError(await signup({ phone: '71 123 456', notify: 'sms' }), 400, 'invalid_phone', /not a mobile number/);
    expectError(await signup({ phone: 'my number' }), 400, 'invalid_phone', /only digits/);
    expectError(await signup({ phone: 21620123456 }), 400, 'invalid_body', /phone must be/);
    expectError(await signup({ country: 'Tunisia' }), 400, 'invalid_body', /two-letter country code/);
    expectError(await signup({ notify: 'pigeon' }), 400, 'invalid_body', /notify must be one of email, sms, both/);
    expectError(await signup({ notify: 'sms' }), 400, 'phone_required', /needs a phone/);
  });

  it('changes phone and choice later with PATCH /api/account, and never leaves SMS without a phone', async () => {
    const a = await signup({});
    const token = a.body.token as string;
    expectError(await patch(token, { notify: 'sms' }), 400, 'phone_required', /give phone too/);
    expect((await patch(token, { phone: '+216 98 765 432', notify: 'sms' })).body).toMatchObject({ phone: '+21698765432', notify: 'sms', smsAvailable: true });
    expectError(await patch(token, { phone: null }), 400, 'phone_required', /set notify to "email"/);
    expectError(await patch(token, { phone: '123' }), 400, 'invalid_phone');
    expectError(await patch(token, {}), 400, 'invalid_body', /at least one of phone, country, notify/);
    expectError(await patch(token, { phone: '20 123 456', email: 'x@example.com' }), 400, 'unknown_field');
    expect((await patch(token, { phone: null, notify: 'email' })).body).toMatchObject({ phone: null, notify: 'email' });
    expectError(await n.api.call('PATCH', '/api/account', { body: { notify: 'email' } }), 401, 'unauthenticated');
  });
});

describe('notices by SMS', () => {
  it('tells a buyer who chose SMS that the tickets are issued (event, date, link, no secret), and the refund; no email', async () => {
    const buyer = await signup({ phone: '22 333 444', notify: 'sms' });
    const token = buyer.body.token as string;
    const event = await n.api.createEvent(organizer.token, { name: 'Nuit du jazz', startsAt: '2027-03-12T20:00:00Z', ticketTypes: [{ name: 'GA', price: 3_000, capacity: 5 }] });
    const hold = await n.api.hold(token, event.id, event.typeIds[0]!, 2);
    const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token, body: { provider: 'simulated' } });
    await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token, body: { outcome: 'pay' } });
    const orderId = checkout.body.id as string;
    const issued = await until(async () => (await devSms('+21622333444')).body.texts.find((s: { template: string; status: string }) => s.template === 'tickets_issued' && s.status === 'outbox'), 'the tickets SMS');
    expect(issued.body).toBe(`Tickr: your tickets for Nuit du jazz, 12 Mar 2027 20:00 UTC. Show them at the door: http://shop.test/orders/${orderId}`);
    expect(issued).toMatchObject({ to: '+21622333444', encoding: 'gsm7', segments: 1, attempts: 1 });
    const secrets = (await n.t.db.query('SELECT secret FROM tickets WHERE order_id = $1', [orderId])).rows.map((r) => r.secret as string);
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) expect(issued.body).not.toContain(secret);

    // The event's reminder, run now rather than on its day: one SMS to this buyer, however often the job runs.
    await eventReminderJob(n.deps, { eventId: event.id, startsAt: '2027-03-12T20:00:00.000Z' });
    await eventReminderJob(n.deps, { eventId: event.id, startsAt: '2027-03-12T20:00:00.000Z' });
    const reminded = await until(async () => (await devSms('+21622333444')).body.texts.find((s: { template: string; status: string }) => s.template === 'event_reminder' && s.status === 'outbox'), 'the reminder SMS');
    expect(reminded.body).toBe(`Tickr reminder: Nuit du jazz starts 12 Mar 2027 20:00 UTC. Your tickets: http://shop.test/orders/${orderId}`);
    expect((await devSms('+21622333444')).body.texts.filter((s: { template: string }) => s.template === 'event_reminder')).toHaveLength(1);

    await n.api.call('POST', `/api/orders/${orderId}/refund`, { token: organizer.token });
    const refunded = await until(async () => (await devSms('+21622333444')).body.texts.find((s: { template: string }) => s.template === 'refund_notice'), 'the refund SMS');
    expect(refunded.body).toContain('(60.00 EUR)');
    expect((await n.t.db.query('SELECT count(*)::int AS n FROM email_outbox WHERE key LIKE $1', [`%${orderId}%`])).rows[0].n).toBe(0);
  });
});

describe('GET /api/dev/sms', () => {
  it('refuses a stranger behind the storefront\'s proxy, and answers no one in production', async () => {
    expectError(await n.api.call('GET', '/api/dev/sms', { headers: { 'x-forwarded-for': '203.0.113.7' } }), 401, 'unauthenticated');
    const production = readConfig({ ...n.env, NODE_ENV: 'production', TICKR_TICKET_KEY_SECRET: 'k'.repeat(40) });
    expect(production.smsAvailable).toBe(false);
    const server = createServer({ config: production, db: n.t.db, engine: n.engine, log: () => {}, jobs: n.jobs });
    const base = `http://127.0.0.1:${await server.listen()}`;
    try {
      const answer = await fetch(`${base}/api/dev/sms`);
      expect(answer.status).toBe(404);
      // Production without SNS: SMS is not offered, and choosing it is refused with the reason.
      const refused = await fetch(`${base}/api/auth/signup`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `p-${randomUUID()}@test.tickr`, password, name: 'P', role: 'participant', phone: '20 123 456', notify: 'sms' }),
      });
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'sms_unavailable', message: expect.stringMatching(/Choose notify "email"/) });
    } finally {
      server.close();
    }
  });
});
