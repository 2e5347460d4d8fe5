import { z } from 'zod';
import { signinDelayBaseMs, signinDelayMaxMs, signinFailuresForgetMs, signinFailuresFreePerPair } from '../../../engine/src/constants.ts';
import { changePassword, changeRole, deleteAccount, selectPasswordHash } from '../../../engine/src/db/account_versions.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { AccountStates } from '../auth/account_states.ts';
import { createFailureDelays } from '../auth/failure_delays.ts';
import { requireRole } from '../auth/guard.ts';
import type { HashGate } from '../auth/hash_gate.ts';
import { requireStrongPassword } from '../auth/password_policy.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { roles, type Role, type Tokens } from '../auth/tokens.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { parseBody } from '../validation.ts';

/**
 * Changes to an account that void or reshape its tokens: a password change
 * (by its owner), a role change and a deletion (by an operator). Each raises
 * the account's version (engine/src/db/account_versions.ts) and makes this
 * node forget its cached state; other nodes follow within `accountCacheTtlMs`.
 */
export type AccountsDeps = { db: Db; tokens: Tokens; accounts: AccountStates; gate: HashGate };

export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string({ error: 'currentPassword must be a string: your password now' }).min(1, { error: 'currentPassword is required' }).max(200),
  newPassword: z.string({ error: 'newPassword must be a string of 10 to 200 characters' })
    .min(10, { error: 'newPassword must be at least 10 characters long' })
    .max(200, { error: 'newPassword must be at most 200 characters long' }),
});

export const roleChangeSchema = z.strictObject({
  role: z.enum(roles as [Role, ...Role[]], { error: `role must be one of ${roles.join(', ')}` }),
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function accountId(raw: string): string {
  if (!uuid.test(raw)) throw new HttpError(400, 'invalid_id', 'The account id in the path must be a UUID.');
  return raw.toLowerCase();
}

const noAccount = () => new HttpError(404, 'account_not_found', 'There is no such account (or it was deleted); check the id.');

export function mountAccounts(router: Router, { db, tokens, accounts, gate }: AccountsDeps): void {
  // Wrong current passwords per account: a stolen token must not become a password oracle.
  const wrongCurrent = createFailureDelays({ free: signinFailuresFreePerPair, baseMs: signinDelayBaseMs, maxMs: signinDelayMaxMs, forgetMs: signinFailuresForgetMs });

  router.route('post', '/api/account/password', async (ctx) => {
    const claims = requireRole(ctx, ...roles);
    const input = parseBody(passwordChangeSchema, ctx.body);
    const wait = wrongCurrent.waitSeconds(claims.sub);
    if (wait > 0) {
      throw new HttpError(429, 'too_many_attempts', `Too many wrong current passwords; wait ${wait} s and try again.`, undefined, { 'retry-after': String(wait) });
    }
    const withHash = await selectPasswordHash(db, claims.sub);
    if (withHash === null) throw new HttpError(401, 'unauthenticated', 'Your account no longer exists; sign in again.');
    await requireStrongPassword(input.newPassword, withHash.email);
    wrongCurrent.charge(claims.sub);
    if (!(await gate.run('verify', () => verifyPassword(input.currentPassword, withHash.passwordHash)))) {
      throw new HttpError(403, 'wrong_password', 'currentPassword is not your password now; check it and try again.');
    }
    wrongCurrent.clear(claims.sub);
    const passwordHash = await gate.run('hash', () => hashPassword(input.newPassword));
    const state = await changePassword(db, withHash.id, passwordHash);
    accounts.forget(withHash.id);
    if (state === null) throw new HttpError(401, 'unauthenticated', 'Your account no longer exists; sign in again.');
    // Every earlier token, this request's included, is void now: here is the one to go on with.
    const token = await tokens.sign({ sub: state.id, role: state.role, name: state.name, ver: state.version });
    return { status: 200, body: { token } };
  }, { body: true });

  router.route('patch', '/api/ops/accounts/:id', async (ctx) => {
    requireRole(ctx, 'operator', 'admin');
    const id = accountId(ctx.params.id!);
    const { role } = parseBody(roleChangeSchema, ctx.body);
    const state = await changeRole(db, id, role);
    accounts.forget(id);
    if (state === null) throw noAccount();
    return { status: 200, body: { id: state.id, name: state.name, role: state.role, version: state.version } };
  }, { body: true });

  router.route('delete', '/api/ops/accounts/:id', async (ctx) => {
    requireRole(ctx, 'operator', 'admin');
    const id = accountId(ctx.params.id!);
    const deleted = await deleteAccount(db, id);
    accounts.forget(id);
    if (!deleted) throw noAccount();
    return { status: 200, body: { id, deleted: true } };
  });
}
