import { signinAttemptsMax, signinWindowMs } from '../../../engine/src/constants.ts';
import { insertAccount, selectAccountByEmail } from '../../../engine/src/db/accounts.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { hashPassword, verifyDummy, verifyPassword } from '../auth/passwords.ts';
import { createRateLimiter } from '../auth/rate_limit.ts';
import type { Tokens } from '../auth/tokens.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { parseBody, signinSchema, signupRole, signupSchema } from '../validation.ts';
import { accountView } from './account_links.ts';

export type AuthDeps = { db: Db; tokens: Tokens };

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'The email or the password is wrong; check both and try again.');

export function mountAuth(router: Router, { db, tokens }: AuthDeps): void {
  // Two limiters: one email guessed from many addresses, and many emails tried from one address.
  const byEmail = createRateLimiter({ max: signinAttemptsMax, windowMs: signinWindowMs });
  const byAddress = createRateLimiter({ max: signinAttemptsMax, windowMs: signinWindowMs });

  router.route('post', '/api/auth/signup', async (ctx) => {
    const input = parseBody(signupSchema, ctx.body);
    const role = signupRole(input.role);
    const account = await insertAccount(db, { email: input.email, passwordHash: await hashPassword(input.password), name: input.name, role });
    if (account === null) throw new HttpError(409, 'email_taken', 'An account with this email exists already; sign in instead.');
    const token = await tokens.sign({ sub: account.id, role: account.role, name: account.name });
    return { status: 201, body: { token, account: accountView(account) } };
  }, { body: true });

  router.route('post', '/api/auth/signin', async (ctx) => {
    const address = ctx.clientAddress;
    const input = parseBody(signinSchema, ctx.body);
    for (const decision of [byAddress.take(`a:${address}`), byEmail.take(`e:${input.email}`)]) {
      if (!decision.ok) {
        throw new HttpError(429, 'too_many_attempts', `Too many sign-in attempts; wait ${decision.retryAfterSeconds} s and try again.`,
          undefined, { 'retry-after': String(decision.retryAfterSeconds) });
      }
    }
    const account = await selectAccountByEmail(db, input.email);
    const ok = account === null ? await verifyDummy(input.password) : await verifyPassword(input.password, account.passwordHash);
    if (!ok || account === null) throw invalidCredentials();
    const token = await tokens.sign({ sub: account.id, role: account.role, name: account.name });
    return { status: 200, body: { token, account: accountView(account) } };
  }, { body: true });
}
