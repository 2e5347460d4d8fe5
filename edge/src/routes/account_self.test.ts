import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastEmailTo, linkTokenTo } from '../../../engine/src/testing/mail.ts';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';
import { signUp } from '../../../engine/src/testing/kit.ts';

/**
 * Accounts (#15) end to end over HTTP on a node with real jobs: password
 * reset by email, email change, self-deletion, export, and a drop that lets
 * only verified emails join its queue.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
const password = 'correct horse battery';

beforeAll(async () => {
  n = await startOrdersNode();
  organizer = await n.api.signup('organizer', 'org');
});

afterAll(async () => {
  await n?.stop();
});

const participant = (email: string, name = 'Pat') => signUp(n.api.call, 'participant', { email, name, password });
const signin = (email: string, pw = password) => n.api.call('POST', '/api/auth/signin', { body: { email, password: pw } });
const me = (token: string) => n.api.call('GET', '/api/auth/account', { token });
const askReset = (email: string, body: Record<string, unknown> = {}) => n.api.call('POST', '/api/auth/password-reset/request', { body: { email, ...body } });

describe('password reset by email', () => {
  it('answers the same for an email with an account and one without, and emails only the account', async () => {
    await participant('reset-known@example.com');
    const known = await askReset('reset-known@example.com');
    const unknown = await askReset('reset-nobody@example.com');
    expect(known.status).toBe(202);
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
    expect(await lastEmailTo(n.t.db, 'reset-known@example.com')).toMatchObject({ template: 'reset_password', subject: 'Choose a new Tickr password' });
    expect((await lastEmailTo(n.t.db, 'reset-known@example.com'))!.text).toContain('http://shop.test/reset-password?token=');
    expect(await lastEmailTo(n.t.db, 'reset-nobody@example.com')).toBeNull();
  });

  it('sets a new password once with the link, refuses a weak one without using the link, and ends every other session', async () => {
    const a = await participant('reset-sessions@example.com');
    const other = (await signin(a.email)).body.token as string;
    expect((await me(other)).status).toBe(200);
    await askReset(a.email, { locale: 'fr' });
    expect((await lastEmailTo(n.t.db, a.email))!.subject).toBe('Choisissez un nouveau mot de passe Tickr');
    const token = await linkTokenTo(n.t.db, a.email);

    const weak = await n.api.call('POST', '/api/auth/password-reset', { body: { token, password: 'short' } });
    expect(weak.status).toBe(400);
    const common = await n.api.call('POST', '/api/auth/password-reset', { body: { token, password: 'password123' } });
    expect([common.status, common.body.error.code]).toEqual([422, 'weak_password']);
    const done = await n.api.call('POST', '/api/auth/password-reset', { body: { token, password: 'a brand new passphrase' } });
    expect(done.status).toBe(200);
    expect(done.body.account).toMatchObject({ email: a.email, emailVerified: true });

    expect((await me(a.token)).status).toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await me(done.body.token)).status).toBe(200);
    expect((await signin(a.email)).status).toBe(401);
    expect((await signin(a.email, 'a brand new passphrase')).status).toBe(200);

    const again = await n.api.call('POST', '/api/auth/password-reset', { body: { token, password: 'yet another passphrase' } });
    expect([again.status, again.body.error.code]).toEqual([410, 'token_used']);
  });

  it('refuses an expired link, and an older link once a newer one was asked for', async () => {
    const a = await participant('reset-expiry@example.com');
    await askReset(a.email);
    const first = await linkTokenTo(n.t.db, a.email);
    await askReset(a.email);
    const second = await linkTokenTo(n.t.db, a.email);
    const old = await n.api.call('POST', '/api/auth/password-reset', { body: { token: first, password: 'a brand new passphrase' } });
    expect(old.status).toBe(410);
    await n.t.db.query("UPDATE action_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password' AND email = $1 AND used_at IS NULL", [a.email]);
    const expired = await n.api.call('POST', '/api/auth/password-reset', { body: { token: second, password: 'a brand new passphrase' } });
    expect([expired.status, expired.body.error.code]).toEqual([410, 'token_expired']);
    expect((await signin(a.email)).status).toBe(200);
  });

  it('limits requests per email, the same way for a known and an unknown email', async () => {
    await participant('reset-limit@example.com');
    const known = [];
    const unknown = [];
    for (let i = 0; i < 4; i += 1) known.push((await askReset('reset-limit@example.com')).status);
    for (let i = 0; i < 4; i += 1) unknown.push((await askReset('reset-limit-nobody@example.com')).status);
    expect(known).toEqual([202, 202, 202, 429]);
    expect(unknown).toEqual(known);
  });
});

describe('email change', () => {
  it('changes the email only once the link sent to the new address is opened, and tells the old address', async () => {
    const a = await participant('change-old@example.com', 'Cam');
    const wrong = await n.api.call('POST', '/api/account/email', { token: a.token, body: { newEmail: 'change-new@example.com', password: 'not my password' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'wrong_password']);
    await participant('change-taken@example.com');
    const taken = await n.api.call('POST', '/api/account/email', { token: a.token, body: { newEmail: 'change-taken@example.com', password } });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'email_taken']);

    const asked = await n.api.call('POST', '/api/account/email', { token: a.token, body: { newEmail: 'Change-New@example.com', password } });
    expect(asked.status).toBe(202);
    expect((await me(a.token)).body.email).toBe('change-old@example.com');
    expect(await lastEmailTo(n.t.db, 'change-new@example.com')).toMatchObject({ template: 'email_change' });

    const token = await linkTokenTo(n.t.db, 'change-new@example.com');
    const confirmed = await n.api.call('POST', '/api/account/email/confirm', { body: { token } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ email: 'change-new@example.com', emailVerified: true });
    expect((await me(a.token)).body.email).toBe('change-new@example.com');
    expect(await lastEmailTo(n.t.db, 'change-old@example.com')).toMatchObject({ template: 'email_changed' });
    expect((await lastEmailTo(n.t.db, 'change-old@example.com'))!.text).toContain('change-new@example.com');
    expect((await signin('change-new@example.com')).status).toBe(200);
    expect((await signin('change-old@example.com')).status).toBe(401);

    const twice = await n.api.call('POST', '/api/account/email/confirm', { body: { token } });
    expect([twice.status, twice.body.error.code]).toEqual([410, 'token_used']);
  });
});

describe('name and language', () => {
  it('are set with PATCH /api/account, and the language chooses the emails\' language', async () => {
    const a = await participant('lang@example.com');
    const set = await n.api.call('PATCH', '/api/account', { token: a.token, body: { name: 'Amal', locale: 'ar' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: 'Amal', locale: 'ar' });
    const bad = await n.api.call('PATCH', '/api/account', { token: a.token, body: { locale: 'de' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('locale must be one of en, fr, ar');
    await askReset(a.email, { locale: 'en' });
    expect((await lastEmailTo(n.t.db, a.email))!.subject).toBe('اختر كلمة مرور جديدة لـ Tickr');
    // Orders take the account's language too: their tickets email is in Arabic although the checkout said English.
    const event = await n.api.createEvent(organizer.token, { name: 'Lang Night' });
    const { orderId } = await buy(a, event.id, event.typeIds[0]!);
    expect((await n.t.db.query('SELECT locale FROM orders WHERE id = $1', [orderId])).rows[0].locale).toBe('ar');
  });
});

async function buy(who: { token: string }, eventId: string, typeId: string) {
  const hold = await n.api.hold(who.token, eventId, typeId, 2);
  expect(hold.status).toBe(201);
  const checkout = await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: who.token, body: { provider: 'simulated', locale: 'en' } });
  expect(checkout.status).toBe(201);
  await n.api.call('POST', `/api/payments/simulated/${checkout.body.payment.providerRef}`, { token: who.token, body: { outcome: 'pay' } });
  await until(async () => ((await n.api.call('GET', `/api/orders/${checkout.body.id}`, { token: who.token })).body.status === 'ticketed' ? true : null), 'tickets');
  return { orderId: checkout.body.id as string, holdId: hold.body.holdId as string };
}

describe('export and deletion', () => {
  it('exports the account, its orders with amounts and its tickets with check-in status, without secrets', async () => {
    const a = await participant('export@example.com', 'Ex');
    const event = await n.api.createEvent(organizer.token, { name: 'Export Night' });
    const { orderId, holdId } = await buy(a, event.id, event.typeIds[0]!);
    const out = await n.api.call('GET', '/api/account/export', { token: a.token });
    expect(out.status).toBe(200);
    const raw = await fetch(`${n.base}/api/account/export`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(raw.headers.get('content-disposition')).toBe(`attachment; filename="tickr-account-${a.id}.json"`);
    expect(out.body.account).toMatchObject({ id: a.id, email: a.email, name: 'Ex', role: 'participant' });
    expect(out.body.orders).toHaveLength(1);
    expect(out.body.orders[0]).toMatchObject({ id: orderId, eventName: 'Export Night', status: 'ticketed', holdId });
    expect(out.body.orders[0].items[0]).toMatchObject({ quantity: 2 });
    expect(out.body.orders[0].amount).toBe(out.body.orders[0].items[0].unitPrice * 2);
    expect(out.body.tickets).toHaveLength(2);
    expect(out.body.tickets[0]).toMatchObject({ eventName: 'Export Night', status: 'valid', checkedInAt: null });
    expect(out.body.holds).toEqual([expect.objectContaining({ holdId, orderId })]);
    const text = JSON.stringify(out.body);
    expect(text).not.toMatch(/password|secret|TK1:/i);
  });

  it('deletes with the password: personal data erased, orders and tickets kept, sessions ended, the email free again', async () => {
    const a = await participant('delete-me@example.com', 'Dee');
    await n.api.call('PATCH', '/api/account', { token: a.token, body: { phone: '+216 20 123 456', locale: 'fr' } });
    const event = await n.api.createEvent(organizer.token, { name: 'Delete Night' });
    const { orderId } = await buy(a, event.id, event.typeIds[0]!);
    const wrong = await n.api.call('POST', '/api/account/delete', { token: a.token, body: { password: 'not my password' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'wrong_password']);

    const done = await n.api.call('POST', '/api/account/delete', { token: a.token, body: { password } });
    expect(done.status).toBe(200);
    const row = (await n.t.db.query('SELECT email, name, phone, country, locale, password_hash, email_verified_at, deleted_at FROM accounts WHERE id = $1', [a.id])).rows[0];
    expect(row).toMatchObject({ email: `deleted-${a.id}@invalid`, name: 'Deleted account', phone: null, country: null, locale: null, password_hash: '', email_verified_at: null });
    expect(row.deleted_at).not.toBeNull();
    const kept = await n.t.db.query('SELECT (SELECT count(*)::int FROM orders WHERE id = $1) AS orders, (SELECT count(*)::int FROM tickets WHERE buyer_id = $2) AS tickets', [orderId, a.id]);
    expect(kept.rows[0]).toEqual({ orders: 1, tickets: 2 });
    expect((await me(a.token)).status).toBe(401);
    expect((await signin(a.email)).status).toBe(401);
    await participant('delete-me@example.com', 'New Dee');
  });

  it('refuses an organizer with events and says why', async () => {
    await n.api.createEvent(organizer.token, { name: 'Kept' });
    const refused = await n.api.call('POST', '/api/account/delete', { token: organizer.token, body: { password } });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'organizer_has_events']);
    expect(refused.body.error.message).toMatch(/You organize \d+ events/);
  });
});

describe('a drop that requires a verified email to join its queue', () => {
  it('refuses an unverified buyer with 403 verification_required, and lets the same buyer join once verified', async () => {
    const event = await n.api.createEvent(organizer.token, { saleStartsAt: new Date(Date.now() + 86_400_000).toISOString() });
    const set = await n.api.call('PATCH', `/api/events/${event.id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true, holdRequires: 'verified_email' } });
    expect(set.status).toBe(200);
    const a = await participant('join-verify@example.com');
    const refused = await n.api.call('POST', `/api/events/${event.id}/queue`, { token: a.token, body: {} });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'verification_required']);
    expect(refused.body.error.message).toContain('verify yours');
    expect(refused.body.error.message).toContain('join the queue');

    await n.api.call('POST', '/api/auth/verify-email/request', { token: a.token, body: {} });
    expect((await n.api.call('POST', '/api/auth/verify-email', { body: { token: await linkTokenTo(n.t.db, a.email) } })).status).toBe(200);
    expect((await n.api.call('POST', `/api/events/${event.id}/queue`, { token: a.token, body: {} })).status).toBe(201);
  });
});
