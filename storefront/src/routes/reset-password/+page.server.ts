import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { setSession } from '$lib/server/session';

/**
 * The link of a password reset email lands here (#15). The token is posted
 * with the new password, never used on load (mail scanners open links).
 * Success signs this browser in; every other session has ended.
 */
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const token = String(form.get('token') ?? '');
    const password = String(form.get('password') ?? '');
    try {
      const reply = await edge(event).resetPassword({ token, password });
      setSession(event.cookies, reply.token);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { code: e.code, reason: e.sentence(translator(event.locals.locale)) });
    }
    redirect(303, '/account?reset=1');
  },
};
