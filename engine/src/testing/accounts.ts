import { randomUUID } from 'node:crypto';
import { callVia, expectStatus, type Via } from './http.ts';

/** The password of every account the kit signs up, unless a test gives its own. */
export const testPassword = 'correct horse battery';

/** The roles anyone may sign up as; staff come by invitation and operators by configuration (TICKR_OPERATOR_EMAIL). */
export type SignUpRole = 'participant' | 'organizer';

export type TestAccount = {
  id: string;
  token: string;
  email: string;
  password: string;
  name: string;
  /** The bearer header of `token`, for clients that take headers. */
  auth: { authorization: string };
};

export type SignUpOptions = {
  name?: string;
  /** Default `<name>-<uuid>@<emailDomain>` (`test.tickr`): unique, so test files and retries never meet. */
  email?: string;
  emailDomain?: string;
  password?: string;
  /** More fields of the sign-up body: `phone`, `notify`, `locale`. */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /**
   * For callers that retry a call that got no answer (a cluster's): a 409
   * email_taken on this fresh email means an earlier attempt made the
   * account, so sign in to it.
   */
  signInIfTaken?: boolean;
};

function account(body: { token: string; account: { id: string } }, email: string, password: string, name: string): TestAccount {
  return { id: body.account.id, token: body.token, email, password, name, auth: { authorization: `Bearer ${body.token}` } };
}

/** A name as the start of an email address: `Pat Participant` gives `pat-participant`; a name with no Latin letter or digit, nothing. */
function emailName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Signs up through the API (`POST /api/auth/signup`, 201) as a person would; throws with the answer otherwise. */
export async function signUp(via: Via, role: SignUpRole, opts: SignUpOptions = {}): Promise<TestAccount> {
  const call = callVia(via);
  const name = opts.name ?? role;
  const email = opts.email ?? `${emailName(name) || role}-${randomUUID()}@${opts.emailDomain ?? 'test.tickr'}`;
  const password = opts.password ?? testPassword;
  const answer = await call('POST', '/api/auth/signup', { body: { email, password, name, role, ...opts.extra }, ...(opts.headers ? { headers: opts.headers } : {}) });
  if (answer.status === 409 && opts.signInIfTaken) return signIn(call, { email, password, name });
  return account(expectStatus(answer, `sign up ${email}`, 201).body, email, password, name);
}

/** Signs in through the API (`POST /api/auth/signin`, 200): any role, the operator's configured account included. */
export async function signIn(via: Via, who: { email: string; password: string; name?: string }): Promise<TestAccount> {
  const answer = expectStatus(await callVia(via)('POST', '/api/auth/signin', { body: { email: who.email, password: who.password } }), `sign in ${who.email}`, 200);
  return account(answer.body, who.email, who.password, who.name ?? answer.body.account.name);
}
