import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/** The link sent to a new email lands here (#15); a button posts the token (mail scanners open links and must not use them). */
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const token = String((await event.request.formData()).get('token') ?? '');
    try {
      const account = await edge(event).confirmEmail(token);
      return { email: account.email };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
    }
  },
};
