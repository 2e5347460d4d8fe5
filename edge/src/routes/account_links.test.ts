import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertOperator } from '../../../engine/src/db/accounts.ts';
import { lastEmailTo, linkTokenTo } from '../../../engine/src/testing/mail.ts';
import { hashPassword } from '../auth/passwords.ts';
import { startMailNode, type MailNode } from '../testing/mail_node.ts';

/**
 * Staff invites and email verification (#11), end to end over HTTP: the
 * organizer's answer never tells whether an email has an account, the
 * organizer never sets a password, and every emailed link works once.
 */

let node: MailNode;
let organizer: { token: string; id: string };
let event: { id: string };

const invite = (body: Record<string, unknown>) => node.api.call('POST', `/api/events/${event.id}/staff`, { token: organizer.token, body });
const hashOf = async (email: string) => (await node.t.db.query('SELECT password_hash FROM accounts WHERE lower(email) = lower($1)', [email])).rows[0]?.password_hash as string | undefined;

beforeAll(async () => {
  node = await startMailNode('invites-test');
  organizer = await node.api.signup('organizer');
  event = await node.api.createEvent(organizer.token, { name: 'Night Market' });
});

afterAll(async () => {
  await node?.stop();
});

describe('staff invites', () => {
  it('answer the organizer the same for an email with an account and one without, and never take a password', async () => {
    const existing = await node.api.call('POST', '/api/auth/signup', { body: { email: 'known@example.com', password: 'known password 1', name: 'Known', role: 'participant' } });
    expect(existing.status).toBe(201);
    const hashBefore = await hashOf('known@example.com');

    const known = await invite({ email: 'known@example.com', name: 'Door A' });
    const unknown = await invite({ email: 'unknown@example.com', name: 'Door B' });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(known.status);
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort());
    const { id: _a, email: _b, name: _c, invitedAt: _d, ...knownRest } = known.body;
    const { id: _e, email: _f, name: _g, invitedAt: _h, ...unknownRest } = unknown.body;
    expect(unknownRest).toEqual(knownRest);
    expect(known.body).toMatchObject({ email: 'known@example.com', name: 'Door A', status: 'invited', accountId: null });

    // The list says the same about both until the invitee acts.
    const listed = (await node.api.call('GET', `/api/events/${event.id}/staff`, { token: organizer.token })).body.staff;
    expect(listed.map((s: { status: string; accountId: string | null }) => [s.status, s.accountId])).toEqual([['invited', null], ['invited', null]]);

    // A password from the organizer is refused; the existing account's password is untouched; no account was made.
    const withPassword = await invite({ email: 'other@example.com', name: 'X', password: 'organizer chose this' });
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.error.code).toBe('unknown_field');
    expect(await hashOf('known@example.com')).toBe(hashBefore);
    expect(await hashOf('unknown@example.com')).toBeUndefined();
    expect(await hashOf('other@example.com')).toBeUndefined();

    // Each address got the email that fits it.
    expect(await lastEmailTo(node.t.db, 'known@example.com')).toMatchObject({ template: 'staff_added', subject: 'You were added as staff of Night Market' });
    expect(await lastEmailTo(node.t.db, 'unknown@example.com')).toMatchObject({ template: 'staff_invite' });
    expect((await lastEmailTo(node.t.db, 'unknown@example.com'))!.text).toContain('http://shop.test/set-password?token=');
  });

  it('answer an operator\'s email like any other, without assigning or writing to it', async () => {
    await upsertOperator(node.t.db, 'ops@example.com', await hashPassword('operator password'), 'Ops');
    const answer = await invite({ email: 'ops@example.com' });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'invited', accountId: null });
    expect(await lastEmailTo(node.t.db, 'ops@example.com')).toBeNull();
  });

  it('let the invitee set a password once with the link, which makes a verified staff account assigned to the event', async () => {
    await invite({ email: 'newdoor@example.com', name: 'New Door' });
    const token = await linkTokenTo(node.t.db, 'newdoor@example.com');
    const weak = await node.api.call('POST', '/api/auth/set-password', { body: { token, password: 'short' } });
    expect(weak.status).toBe(400);
    const set = await node.api.call('POST', '/api/auth/set-password', { body: { token, password: 'my own password' } });
    expect(set.status).toBe(201);
    expect(set.body.account).toMatchObject({ email: 'newdoor@example.com', name: 'New Door', role: 'staff', emailVerified: true });
    const staffEvents = await node.api.call('GET', '/api/staff/events', { token: set.body.token });
    expect(staffEvents.body.events.map((e: { id: string }) => e.id)).toEqual([event.id]);

    const again = await node.api.call('POST', '/api/auth/set-password', { body: { token, password: 'attacker password' } });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('token_used');
    expect((await node.api.call('POST', '/api/auth/signin', { body: { email: 'newdoor@example.com', password: 'my own password' } })).status).toBe(200);
    expect((await node.api.call('POST', '/api/auth/signin', { body: { email: 'newdoor@example.com', password: 'attacker password' } })).status).toBe(401);
    const listed = (await node.api.call('GET', `/api/events/${event.id}/staff`, { token: organizer.token })).body.staff;
    expect(listed.find((s: { email: string }) => s.email === 'newdoor@example.com')).toMatchObject({ status: 'active', accountId: set.body.account.id });
  });

  it('refuse a common password or the email as the password, and keep the link usable for a better one', async () => {
    await invite({ email: 'weakdoor@example.com' });
    const token = await linkTokenTo(node.t.db, 'weakdoor@example.com');
    for (const password of ['password123', 'weakdoor@example.com']) {
      const weak = await node.api.call('POST', '/api/auth/set-password', { body: { token, password } });
      expect(weak.status, password).toBe(422);
      expect(weak.body.error.code).toBe('weak_password');
    }
    expect(await hashOf('weakdoor@example.com')).toBeUndefined();
    expect((await node.api.call('POST', '/api/auth/set-password', { body: { token, password: 'a door of my own' } })).status).toBe(201);
  });

  it('refuse an expired invite link, a forged one, and one whose invite was withdrawn', async () => {
    await invite({ email: 'late@example.com' });
    const late = await linkTokenTo(node.t.db, 'late@example.com');
    await node.t.db.query(`UPDATE action_tokens SET expires_at = now() - interval '1 second' WHERE email = 'late@example.com'`);
    const expired = await node.api.call('POST', '/api/auth/set-password', { body: { token: late, password: 'late password 1' } });
    expect([expired.status, expired.body.error.code]).toEqual([410, 'token_expired']);
    expect(await hashOf('late@example.com')).toBeUndefined();

    const forged = await node.api.call('POST', '/api/auth/set-password', { body: { token: 'x'.repeat(43), password: 'forged password' } });
    expect([forged.status, forged.body.error.code]).toEqual([400, 'token_invalid']);

    const made = await invite({ email: 'gone@example.com' });
    const gone = await linkTokenTo(node.t.db, 'gone@example.com');
    expect((await node.api.call('DELETE', `/api/events/${event.id}/staff/${made.body.id}`, { token: organizer.token })).status).toBe(204);
    const withdrawn = await node.api.call('POST', '/api/auth/set-password', { body: { token: gone, password: 'gone password 1' } });
    expect([withdrawn.status, withdrawn.body.error.code]).toEqual([410, 'invite_withdrawn']);
  });

  it('never change the password of an account made after the invite', async () => {
    await invite({ email: 'raced@example.com' });
    const token = await linkTokenTo(node.t.db, 'raced@example.com');
    expect((await node.api.call('POST', '/api/auth/signup', { body: { email: 'raced@example.com', password: 'signed up myself', name: 'R', role: 'participant' } })).status).toBe(201);
    const hash = await hashOf('raced@example.com');
    const answer = await node.api.call('POST', '/api/auth/set-password', { body: { token, password: 'through the invite' } });
    expect([answer.status, answer.body.error.code]).toEqual([409, 'email_taken']);
    expect(await hashOf('raced@example.com')).toBe(hash);
  });
});

describe('email verification', () => {
  it('sends a link that verifies the email once, and the account view says so', async () => {
    const buyer = await node.api.signup('participant', 'verifier');
    const view = await node.api.call('GET', '/api/auth/account', { token: buyer.token });
    expect(view.body).toMatchObject({ id: buyer.id, emailVerified: false });
    expect((await node.api.call('POST', '/api/auth/verify-email/request', { body: {} })).status).toBe(401);
    const asked = await node.api.call('POST', '/api/auth/verify-email/request', { token: buyer.token, body: { locale: 'fr' } });
    expect(asked.status).toBe(202);
    const email = await lastEmailTo(node.t.db, view.body.email);
    expect(email).toMatchObject({ template: 'verify_email', subject: 'Confirmez votre e-mail pour Tickr' });
    const token = await linkTokenTo(node.t.db, view.body.email);

    // A verification link is not a set-password link.
    const misused = await node.api.call('POST', '/api/auth/set-password', { body: { token, password: 'not for this' } });
    expect(misused.body.error.code).toBe('token_invalid');
    const verified = await node.api.call('POST', '/api/auth/verify-email', { body: { token } });
    expect(verified).toEqual({ status: 200, body: { emailVerified: true } });
    const twice = await node.api.call('POST', '/api/auth/verify-email', { body: { token } });
    expect([twice.status, twice.body.error.code]).toEqual([410, 'token_used']);
    expect((await node.api.call('GET', '/api/auth/account', { token: buyer.token })).body.emailVerified).toBe(true);
    const signin = await node.api.call('POST', '/api/auth/signin', { body: { email: view.body.email, password: 'correct horse battery' } });
    expect(signin.body.account.emailVerified).toBe(true);
    // Verified already: no more email.
    expect(await node.api.call('POST', '/api/auth/verify-email/request', { token: buyer.token, body: {} })).toEqual({ status: 200, body: { emailVerified: true, sent: false } });
  });

  it('limits how many verification emails one account can ask for', async () => {
    const buyer = await node.api.signup('participant', 'spammer');
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await node.api.call('POST', '/api/auth/verify-email/request', { token: buyer.token, body: {} })).status);
    expect(answers).toEqual([202, 202, 202, 202, 202, 429]);
  });
});
