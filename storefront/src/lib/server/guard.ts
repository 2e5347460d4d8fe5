import { redirect } from '@sveltejs/kit';
import type { Role } from '$lib/session';
import { signinPath } from '$lib/server/paths';

/**
 * Sends a signed-out visitor to sign in and back (saying so when their session
 * just ended, e.g. an expired token); the edge still checks the role on every call.
 */
export function requireAccount(locals: App.Locals, url: URL, ...roles: Role[]) {
  if (!locals.account) redirect(303, signinPath(url, { ended: locals.sessionEnded === true }));
  return { account: locals.account, allowed: roles.length === 0 || roles.includes(locals.account.role) };
}
