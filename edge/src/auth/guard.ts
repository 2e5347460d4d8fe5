import { HttpError } from '../http/errors.ts';
import type { Ctx } from '../http/route.ts';
import type { Claims, Role } from './tokens.ts';

/**
 * The caller's claims when their role is one of `allowed`. No or a bad token
 * is 401 (sign in again); a good token with the wrong role is 403.
 */
export function requireRole(ctx: Ctx, ...allowed: Role[]): Claims {
  const claims = ctx.auth;
  if (claims === null) {
    const message = ctx.authProblem === 'invalid'
      ? 'Your access token is invalid or expired; sign in again.'
      : 'Sign in first, then send the token as "Authorization: Bearer <token>".';
    throw new HttpError(401, 'unauthenticated', message, undefined, { 'www-authenticate': 'Bearer' });
  }
  if (!allowed.includes(claims.role)) {
    throw new HttpError(403, 'forbidden', `This needs the role ${allowed.join(' or ')}; you are signed in as ${claims.role}.`);
  }
  return claims;
}
