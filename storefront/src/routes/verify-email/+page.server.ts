import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/**
 * The link of a verification email lands here. The token is posted by a
 * button, not on load: mail scanners open links, and must not use them up.
 * Without a token, a signed-in person can ask for a link.
 */
export const load: PageServerLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  const verified = token === '' && event.locals.account ? await edge(event).account().then((a) => a.emailVerified).catch(() => false) : false;
  return { token, signedIn: event.locals.account !== null, verified };
};

async function attempt(event: Parameters<Actions[string]>[0], run: () => Promise<{ done: string }>) {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
  }
}

export const actions: Actions = {
  verify: async (event) => {
    const token = String((await event.request.formData()).get('token') ?? '');
    return attempt(event, async () => (await edge(event).verifyEmail(token), { done: 'verified' }));
  },
  request: async (event) =>
    attempt(event, async () => ((await edge(event).requestEmailVerification(event.locals.locale)).sent ? { done: 'sent' } : { done: 'already' })),
};
