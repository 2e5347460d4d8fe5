import { redirect } from '@sveltejs/kit';
import type { Role } from '$lib/session';

/** Sends a signed-out visitor to sign in and back; the edge still checks the role on every call. */
export function requireAccount(locals: App.Locals, url: URL, ...roles: Role[]) {
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
  return { account: locals.account, allowed: roles.length === 0 || roles.includes(locals.account.role) };
}
