import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/** "Forgot password" (#15): the edge answers the same whether or not the email has an account, and so does this page. */
export const load: PageServerLoad = () => ({});

export const actions: Actions = {
  default: async (event) => {
    const email = String((await event.request.formData()).get('email') ?? '').trim();
    try {
      await edge(event).requestPasswordReset({ email, locale: event.locals.locale });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { email, reason: e.sentence(translator(event.locals.locale)) });
    }
    return { sent: true, email };
  },
};
