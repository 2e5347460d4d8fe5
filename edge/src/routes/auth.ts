import {
  signinDelayBaseMs, signinDelayMaxMs, signinFailuresForgetMs, signinFailuresFreePerAddress, signinFailuresFreePerPair, signupWindowMs,
} from '../../../engine/src/constants.ts';
import { insertAccount, selectAccountByEmail } from '../../../engine/src/db/accounts.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { createFailureDelays } from '../auth/failure_delays.ts';
import type { HashGate } from '../auth/hash_gate.ts';
import { requireStrongPassword } from '../auth/password_policy.ts';
import { hashPassword, verifyDummy, verifyPassword } from '../auth/passwords.ts';
import { createRateLimiter } from '../auth/rate_limit.ts';
import type { Tokens } from '../auth/tokens.ts';
import { limitKeyOf } from '../http/client_address.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { parseBody, signinSchema, signupRole, signupSchema } from '../validation.ts';
import { accountView } from './account_links.ts';
import { resolveContact } from './account_contact.ts';

/** `now`: the clock of the limits (default Date.now; tests hold it still, so no answer depends on timing). */
export type AuthDeps = { db: Db; tokens: Tokens; gate: HashGate; signupsPerAddress: number; smsAvailable: boolean; now?: () => number };

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'The email or the password is wrong; check both and try again.');

function tooMany(code: string, what: string, seconds: number): HttpError {
  return new HttpError(429, code, `${what}; wait ${seconds} s and try again.`, { retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
}

export function mountAuth(router: Router, { db, tokens, gate, signupsPerAddress, smsAvailable, now = Date.now }: AuthDeps): void {
  const signups = createRateLimiter({ max: signupsPerAddress, windowMs: signupWindowMs, now });
  // Failures per (account, address) and per address, never per account alone:
  // a stranger's wrong passwords cost the stranger time, never the owner.
  const delay = { baseMs: signinDelayBaseMs, maxMs: signinDelayMaxMs, forgetMs: signinFailuresForgetMs, now };
  const byPair = createFailureDelays({ free: signinFailuresFreePerPair, ...delay });
  const byAddress = createFailureDelays({ free: signinFailuresFreePerAddress, ...delay });

  router.route('post', '/api/auth/signup', async (ctx) => {
    const input = parseBody(signupSchema, ctx.body);
    const role = signupRole(input.role);
    const contact = resolveContact(input, { phone: null, country: null, notify: 'email' }, smsAvailable);
    await requireStrongPassword(input.password, input.email);
    const limited = signups.take(limitKeyOf(ctx.clientAddress));
    if (!limited.ok) throw tooMany('too_many_signups', 'Too many accounts were made from your address', limited.retryAfterSeconds);
    const passwordHash = await gate.run('hash', () => hashPassword(input.password));
    const account = await insertAccount(db, { email: input.email, passwordHash, name: input.name, role, ...contact });
    if (account === null) throw new HttpError(409, 'email_taken', 'An account with this email exists already; sign in instead.');
    const token = await tokens.sign({ sub: account.id, role: account.role, name: account.name });
    return { status: 201, body: { token, account: accountView(account) } };
  }, { body: true });

  router.route('post', '/api/auth/signin', async (ctx) => {
    const input = parseBody(signinSchema, ctx.body);
    const address = limitKeyOf(ctx.clientAddress);
    const pair = `${input.email.toLowerCase()}\n${address}`;
    const wait = Math.max(byPair.waitSeconds(pair), byAddress.waitSeconds(address));
    if (wait > 0) throw tooMany('too_many_attempts', 'Too many wrong passwords from your address', wait);
    byPair.charge(pair);
    byAddress.charge(address);
    let ok = false;
    let account = null;
    try {
      account = await selectAccountByEmail(db, input.email);
      const known = account;
      ok = await gate.run('verify', () => (known === null ? verifyDummy(input.password) : verifyPassword(input.password, known.passwordHash)));
    } catch (error) {
      // Not checked (busy, or the database failed): not a wrong password either.
      byPair.refund(pair);
      byAddress.refund(address);
      throw error;
    }
    if (!ok || account === null) throw invalidCredentials();
    byPair.clear(pair);
    byAddress.refund(address);
    const token = await tokens.sign({ sub: account.id, role: account.role, name: account.name, ver: account.version });
    return { status: 200, body: { token, account: accountView(account) } };
  }, { body: true });
}
