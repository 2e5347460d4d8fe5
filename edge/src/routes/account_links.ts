import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { acceptInvites, lockPendingInvites } from '../../../engine/src/checkin/staff_invites.ts';
import type { Config } from '../../../engine/src/config.ts';
import { verifyEmailRequestsMax, verifyEmailRequestsWindowMs } from '../../../engine/src/constants.ts';
import { consumeActionToken, createActionToken, type ActionPurpose, type ActionToken, type TokenRefusal } from '../../../engine/src/db/action_tokens.ts';
import { insertAccount, markEmailVerified, selectAccount, type Account } from '../../../engine/src/db/accounts.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { inTransaction } from '../../../engine/src/db/transaction.ts';
import type { Jobs, SqlExecutor } from '../../../engine/src/jobs/queues.ts';
import { verifyEmailUrl } from '../../../engine/src/mail/links.ts';
import { queueEmail } from '../../../engine/src/mail/outbox.ts';
import { locales } from '../../../engine/src/mail/templates.ts';
import { requireRole } from '../auth/guard.ts';
import { hashPassword } from '../auth/passwords.ts';
import { requireStrongPassword } from '../auth/password_policy.ts';
import { createRateLimiter } from '../auth/rate_limit.ts';
import type { Tokens } from '../auth/tokens.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { parseBody, signupSchema } from '../validation.ts';

/**
 * The routes behind links sent by email (#11): email verification, and the
 * set-your-password link of a staff invite. Each token is single use, of one
 * purpose, and short-lived (engine/src/db/action_tokens.ts).
 */

/** `jobs`: the mail outbox's job queue (absent: the verification request answers 503). `onVerified`: this node's cache of verified accounts. */
export type AccountLinksDeps = { db: Db; tokens: Tokens; config: Config; jobs?: Jobs; onVerified?: (accountId: string) => void };

/** What the API says about an account, wherever it shows one. */
export function accountView(a: Account) {
  return { id: a.id, email: a.email, name: a.name, role: a.role, emailVerified: a.emailVerified, phone: a.phone, country: a.country, notify: a.notify, locale: a.locale };
}

const token = z.string({ error: 'token is required: the token of the link you received by email' })
  .min(1, { error: 'token must not be empty' }).max(200, { error: 'token must be at most 200 characters; copy it exactly from the link' });
const locale = z.enum(locales, { error: `locale must be one of ${locales.join(', ')}` });
export const verifyRequestSchema = z.strictObject({ locale: locale.optional() });
export const verifySchema = z.strictObject({ token });
export const setPasswordSchema = z.strictObject({ token, password: signupSchema.shape.password, name: signupSchema.shape.name.optional() });

const tokenRefusals: Record<TokenRefusal, { status: number; message: string }> = {
  token_invalid: { status: 400, message: 'This link is not valid; copy the whole link from the email, or ask for a new one.' },
  token_expired: { status: 410, message: 'This link has expired; ask for a new one.' },
  token_used: { status: 410, message: 'This link was used already; it works once. Sign in, or ask for a new one.' },
};

/** The token's claims, or the HttpError saying why the link does not open. */
async function consume(tx: SqlExecutor, value: string, purpose: ActionPurpose): Promise<ActionToken> {
  const opened = await consumeActionToken(tx, value, purpose);
  if (typeof opened === 'string') throw new HttpError(tokenRefusals[opened].status, opened, tokenRefusals[opened].message);
  return opened;
}

export function mountAccountLinks(router: Router, deps: AccountLinksDeps): void {
  const { db, tokens, config, jobs } = deps;
  const requests = createRateLimiter({ max: verifyEmailRequestsMax, windowMs: verifyEmailRequestsWindowMs });

  router.route('get', '/api/auth/account', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const account = await selectAccount(db, claims.sub);
    if (account === null) throw new HttpError(401, 'unauthorized', 'This account no longer exists; sign in again.');
    return { status: 200, body: { ...accountView(account), smsAvailable: config.smsAvailable } };
  });

  router.route('post', '/api/auth/verify-email/request', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const input = parseBody(verifyRequestSchema, ctx.body);
    const account = await selectAccount(db, claims.sub);
    if (account === null) throw new HttpError(401, 'unauthorized', 'This account no longer exists; sign in again.');
    if (account.emailVerified) return { status: 200, body: { emailVerified: true, sent: false } };
    if (jobs === undefined) throw new HttpError(503, 'mail_unavailable', 'This node cannot send email; retry in a moment.');
    const limited = requests.take(account.id);
    if (!limited.ok) {
      throw new HttpError(429, 'too_many_requests', `At most ${verifyEmailRequestsMax} verification emails an hour; use the latest one, or retry in ${limited.retryAfterSeconds} s.`,
        undefined, { 'retry-after': String(limited.retryAfterSeconds) });
    }
    await inTransaction(db, async (tx) => {
      const value = await createActionToken(tx, { purpose: 'verify_email', accountId: account.id, email: account.email });
      await queueEmail(tx, jobs, {
        to: account.email, template: 'verify_email', locale: account.locale ?? input.locale ?? 'en', key: `verify_email:${randomUUID()}`,
        data: { name: account.name, link: verifyEmailUrl(config.publicUrl, value) },
      });
    });
    return { status: 202, body: { emailVerified: false, sent: true } };
  }, { body: true });

  // No sign-in needed: the link may be opened on another device; the token is the proof.
  router.route('post', '/api/auth/verify-email', async (ctx) => {
    const input = parseBody(verifySchema, ctx.body);
    const accountId = await inTransaction(db, async (tx) => {
      const opened = await consume(tx, input.token, 'verify_email');
      // The account changed its email since: the link proved the old one.
      if (opened.accountId === null || !(await markEmailVerified(tx, opened.accountId, opened.email))) {
        throw new HttpError(410, 'token_expired', 'This link was sent to an email the account no longer has; ask for a new one.');
      }
      return opened.accountId;
    });
    deps.onVerified?.(accountId);
    return { status: 200, body: { emailVerified: true } };
  }, { body: true });

  router.route('post', '/api/auth/set-password', async (ctx) => {
    const input = parseBody(setPasswordSchema, ctx.body);
    const passwordHash = await hashPassword(input.password);
    const account = await inTransaction(db, async (tx) => {
      const opened = await consume(tx, input.token, 'set_password');
      // Inside the transaction: a refused password rolls back, so the link stays usable.
      await requireStrongPassword(input.password, opened.email);
      const invites = await lockPendingInvites(tx, opened.email);
      if (invites.length === 0) throw new HttpError(410, 'invite_withdrawn', 'The organizer withdrew this invite; ask them to invite you again.');
      const name = input.name ?? invites.find((i) => i.name !== null)?.name ?? opened.email.split('@')[0]!.slice(0, 100);
      // The link proves the inbox, so the email is verified. A set-password link never changes an existing account's password.
      const made = await insertAccount(tx, { email: opened.email, passwordHash, name, role: 'staff', emailVerified: true });
      if (made === null) throw new HttpError(409, 'email_taken', 'An account with this email exists already; sign in with it, and ask the organizer to add you again.');
      await acceptInvites(tx, made.id, invites.map((i) => i.id));
      return made;
    });
    deps.onVerified?.(account.id);
    const session = await tokens.sign({ sub: account.id, role: account.role, name: account.name });
    return { status: 201, body: { token: session, account: accountView(account) } };
  }, { body: true });
}
