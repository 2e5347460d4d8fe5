import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../../engine/src/config.ts';
import {
  emailChangeRequestsMax, emailChangeRequestsWindowMs, resetAnswerFloorMs, resetRequestsPerAddressMax, resetRequestsPerEmailMax, resetRequestsWindowMs,
} from '../../../engine/src/constants.ts';
import { changeEmail, countOrganizedEvents, emailInUse, selectAccountExport } from '../../../engine/src/db/account_self.ts';
import { changePassword, deleteAccount, selectPasswordHash } from '../../../engine/src/db/account_versions.ts';
import { markEmailVerified, selectAccount, selectAccountByEmail } from '../../../engine/src/db/accounts.ts';
import { consumeActionToken, createActionToken, voidActionTokens, type ActionPurpose, type ActionToken } from '../../../engine/src/db/action_tokens.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { inTransaction } from '../../../engine/src/db/transaction.ts';
import type { Jobs, SqlExecutor } from '../../../engine/src/jobs/queues.ts';
import { confirmEmailUrl, resetPasswordUrl } from '../../../engine/src/mail/links.ts';
import { queueEmail } from '../../../engine/src/mail/outbox.ts';
import { locales, type Locale } from '../../../engine/src/mail/templates.ts';
import type { AccountStates } from '../auth/account_states.ts';
import { requireRole } from '../auth/guard.ts';
import type { HashGate } from '../auth/hash_gate.ts';
import { requireStrongPassword } from '../auth/password_policy.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { createRateLimiter } from '../auth/rate_limit.ts';
import { roles, type Tokens } from '../auth/tokens.ts';
import { limitKeyOf } from '../http/client_address.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { parseBody, signupSchema } from '../validation.ts';
import { accountView } from './account_links.ts';

/**
 * What an account does for itself (#15): reset a forgotten password by email,
 * change its email (confirmed by a link to the new address, a notice to the
 * old one), delete itself, and export its data.
 *
 * The reset request never tells whether an email has an account: the same
 * answer, after at least `resetAnswerFloorMs`, limited per email and per
 * client address whether or not the email is known.
 */
export type AccountSelfDeps = { db: Db; tokens: Tokens; config: Config; accounts: AccountStates; gate: HashGate; jobs?: Jobs; now?: () => number };

const locale = z.enum(locales, { error: `locale must be one of ${locales.join(', ')}` });
const token = z.string({ error: 'token is required: the token of the link you received by email' })
  .min(1, { error: 'token must not be empty' }).max(200, { error: 'token must be at most 200 characters; copy it exactly from the link' });
const password = z.string({ error: 'password must be a string: your password now' }).min(1, { error: 'password is required: your password now' }).max(200);

export const resetRequestSchema = z.strictObject({ email: signupSchema.shape.email, locale: locale.optional() });
export const resetSchema = z.strictObject({ token, password: signupSchema.shape.password });
export const emailChangeSchema = z.strictObject({ newEmail: signupSchema.shape.email, password, locale: locale.optional() });
export const confirmSchema = z.strictObject({ token });
export const deleteSchema = z.strictObject({ password });

const refusals = {
  token_invalid: [400, 'This link is not valid; copy the whole link from the email, or ask for a new one.'],
  token_expired: [410, 'This link has expired; ask for a new one.'],
  token_used: [410, 'This link was used already; it works once. Ask for a new one if you need it.'],
} as const;

async function consume(tx: SqlExecutor, value: string, purpose: ActionPurpose): Promise<ActionToken> {
  const opened = await consumeActionToken(tx, value, purpose);
  if (typeof opened === 'string') throw new HttpError(refusals[opened][0], opened, refusals[opened][1]);
  return opened;
}

const gone = () => new HttpError(401, 'unauthenticated', 'Your account no longer exists; sign in again.');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the routes of one's own account share: the clock, the mail queue (503 without one), the password check. */
type SelfKit = {
  now: () => number;
  mail: () => Jobs;
  /** A wrong password for a signed-in account's own confirmation: 403, checked through the hash gate. */
  requirePassword(accountId: string, given: string): Promise<{ id: string; email: string }>;
};

export function mountAccountSelf(router: Router, deps: AccountSelfDeps): void {
  const { db, gate, jobs } = deps;
  const kit: SelfKit = {
    now: deps.now ?? Date.now,
    mail: () => {
      if (jobs === undefined) throw new HttpError(503, 'mail_unavailable', 'This node cannot send email; retry in a moment.');
      return jobs;
    },
    async requirePassword(accountId, given) {
      const withHash = await selectPasswordHash(db, accountId);
      if (withHash === null) throw gone();
      if (!(await gate.run('verify', () => verifyPassword(given, withHash.passwordHash)))) {
        throw new HttpError(403, 'wrong_password', 'password is not your password now; check it and try again.');
      }
      return withHash;
    },
  };
  mountPasswordReset(router, deps, kit);
  mountEmailChange(router, deps, kit);
  mountAccountData(router, deps, kit);
}

/** A forgotten password: the link by email, then the new password. */
function mountPasswordReset(router: Router, { db, tokens, config, accounts, gate }: AccountSelfDeps, { now, mail }: SelfKit): void {
  const resetsByEmail = createRateLimiter({ max: resetRequestsPerEmailMax, windowMs: resetRequestsWindowMs, now });
  const resetsByAddress = createRateLimiter({ max: resetRequestsPerAddressMax, windowMs: resetRequestsWindowMs, now });

  router.route('post', '/api/auth/password-reset/request', async (ctx) => {
    const started = Date.now();
    const input = parseBody(resetRequestSchema, ctx.body);
    const queue = mail();
    // Both limits count every request, known email or not, so a refusal says nothing about the email.
    const byAddress = resetsByAddress.take(limitKeyOf(ctx.clientAddress));
    const byEmail = byAddress.ok ? resetsByEmail.take(input.email) : byAddress;
    if (!byEmail.ok) {
      const s = byEmail.retryAfterSeconds;
      throw new HttpError(429, 'too_many_requests', `Too many reset requests for this email or from your address; use the latest email, or retry in ${s} s.`,
        { retryAfterSeconds: s }, { 'retry-after': String(s) });
    }
    const account = await selectAccountByEmail(db, input.email);
    // An unknown email does nothing; the floor below makes both answers take as long.
    if (account !== null) {
      await inTransaction(db, async (tx) => {
        await voidActionTokens(tx, account.id, ['reset_password']);
        const value = await createActionToken(tx, { purpose: 'reset_password', accountId: account.id, email: account.email });
        await queueEmail(tx, queue, {
          to: account.email, template: 'reset_password', locale: account.locale ?? input.locale ?? 'en', key: `reset_password:${randomUUID()}`,
          data: { name: account.name, link: resetPasswordUrl(config.publicUrl, value) },
        });
      });
    }
    const left = resetAnswerFloorMs - (Date.now() - started);
    if (left > 0) await sleep(left);
    return { status: 202, body: { sent: true, message: 'If an account has this email, a link to choose a new password is on its way. It works once, within one hour.' } };
  }, { body: true });

  router.route('post', '/api/auth/password-reset', async (ctx) => {
    const input = parseBody(resetSchema, ctx.body);
    const passwordHash = await gate.run('hash', () => hashPassword(input.password));
    const state = await inTransaction(db, async (tx) => {
      const opened = await consume(tx, input.token, 'reset_password');
      // Inside the transaction: a refused password rolls back, so the link stays usable.
      await requireStrongPassword(input.password, opened.email);
      // The link proved the inbox of the email the account had; if the email changed since, it proves nothing now.
      if (opened.accountId === null || !(await markEmailVerified(tx, opened.accountId, opened.email))) {
        throw new HttpError(410, 'token_expired', 'This link was sent to an email the account no longer has; ask for a new one.');
      }
      const changed = await changePassword(tx, opened.accountId, passwordHash);
      if (changed === null) throw new HttpError(410, 'token_expired', 'This account no longer exists.');
      await voidActionTokens(tx, opened.accountId, ['reset_password']);
      return changed;
    });
    accounts.forget(state.id);
    const account = await selectAccount(db, state.id);
    if (account === null) throw gone();
    // Every earlier token of the account is void (the version raise): this is the one session that goes on.
    const session = await tokens.sign({ sub: state.id, role: state.role, name: state.name, ver: state.version });
    return { status: 200, body: { token: session, account: accountView(account) } };
  }, { body: true });
}

/** A new email: asked with the password, confirmed by the link sent to it. */
function mountEmailChange(router: Router, { db, config }: AccountSelfDeps, { now, mail, requirePassword }: SelfKit): void {
  const emailChanges = createRateLimiter({ max: emailChangeRequestsMax, windowMs: emailChangeRequestsWindowMs, now });

  router.route('post', '/api/account/email', async (ctx) => {
    const claims = requireRole(ctx, ...roles);
    const input = parseBody(emailChangeSchema, ctx.body);
    const queue = mail();
    const current = await requirePassword(claims.sub, input.password);
    if (current.email.toLowerCase() === input.newEmail) throw new HttpError(400, 'same_email', 'newEmail is the email the account has already; type the new one.', { field: 'newEmail' });
    if (await emailInUse(db, input.newEmail, current.id)) {
      throw new HttpError(409, 'email_taken', 'Another account uses this email; choose another one.', { field: 'newEmail' });
    }
    const limited = emailChanges.take(current.id);
    if (!limited.ok) {
      throw new HttpError(429, 'too_many_requests', `At most ${emailChangeRequestsMax} email changes an hour; use the latest link, or retry in ${limited.retryAfterSeconds} s.`,
        undefined, { 'retry-after': String(limited.retryAfterSeconds) });
    }
    const account = await selectAccount(db, current.id);
    if (account === null) throw gone();
    await inTransaction(db, async (tx) => {
      await voidActionTokens(tx, account.id, ['change_email']);
      const value = await createActionToken(tx, { purpose: 'change_email', accountId: account.id, email: input.newEmail });
      await queueEmail(tx, queue, {
        to: input.newEmail, template: 'email_change', locale: account.locale ?? input.locale ?? 'en', key: `email_change:${randomUUID()}`,
        data: { name: account.name, link: confirmEmailUrl(config.publicUrl, value), newEmail: input.newEmail },
      });
    });
    return { status: 202, body: { sent: true, pendingEmail: input.newEmail } };
  }, { body: true });

  // No sign-in needed: the link may be opened on another device; the token is the proof.
  router.route('post', '/api/account/email/confirm', async (ctx) => {
    const input = parseBody(confirmSchema, ctx.body);
    const queue = mail();
    const changed = await inTransaction(db, async (tx) => {
      const opened = await consume(tx, input.token, 'change_email');
      if (opened.accountId === null) throw new HttpError(400, 'token_invalid', refusals.token_invalid[1]);
      const done = await changeEmail(tx, opened.accountId, opened.email);
      if (done === 'taken') throw new HttpError(409, 'email_taken', 'Another account took this email meanwhile; ask for a change to another email.');
      if (done === null) throw new HttpError(410, 'token_expired', 'This account no longer exists.');
      // Links sent to the old address (a reset, a verification) prove nothing about the new one.
      await voidActionTokens(tx, opened.accountId, ['reset_password', 'verify_email', 'change_email']);
      await queueEmail(tx, queue, {
        to: done.oldEmail, template: 'email_changed', locale: (done.account.locale ?? 'en') as Locale, key: `email_changed:${randomUUID()}`,
        data: { name: done.account.name, newEmail: done.account.email },
      });
      return done.account;
    });
    return { status: 200, body: accountView(changed) };
  }, { body: true });
}

/** One's own data: deleted, or exported. */
function mountAccountData(router: Router, { db, accounts }: AccountSelfDeps, { now, requirePassword }: SelfKit): void {
  router.route('post', '/api/account/delete', async (ctx) => {
    const claims = requireRole(ctx, ...roles);
    const input = parseBody(deleteSchema, ctx.body);
    const account = await selectAccount(db, claims.sub);
    if (account === null) throw gone();
    if (account.role === 'operator' || account.role === 'admin') {
      throw new HttpError(409, 'operator_account', 'An operator account cannot delete itself here: another operator removes it (DELETE /api/ops/accounts/:id) once someone else runs Tickr.');
    }
    const events = await countOrganizedEvents(db, account.id);
    if (events > 0) {
      throw new HttpError(409, 'organizer_has_events', `You organize ${events} event${events === 1 ? '' : 's'}: their buyers and payouts need their organizer. Write to the operator to hand them over or close them, then delete your account.`);
    }
    await requirePassword(account.id, input.password);
    const deleted = await inTransaction(db, (tx) => deleteAccount(tx, account.id));
    accounts.forget(account.id);
    if (!deleted) throw gone();
    return { status: 200, body: { deleted: true, message: 'Your account is deleted: your personal data is erased and you are signed out. Orders and tickets stay for the organizers\' accounts.' } };
  }, { body: true });

  router.route('get', '/api/account/export', async (ctx) => {
    const claims = requireRole(ctx, ...roles);
    const data = await selectAccountExport(db, claims.sub);
    if (data === null) throw gone();
    const body = { exportedAt: new Date(now()).toISOString(), ...data };
    return {
      status: 200, body,
      headers: { 'content-disposition': `attachment; filename="tickr-account-${claims.sub}.json"`, 'cache-control': 'no-store' },
    };
  });
}
