import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { setSession } from '$lib/server/session';

/** The link of a staff invite lands here: the invitee chooses a password, which creates the staff account and signs it in. */
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const token = String(form.get('token') ?? '');
    const password = String(form.get('password') ?? '');
    try {
      const reply = await edge(event).setPassword({ token, password });
      setSession(event.cookies, reply.token);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return fail(error.status === 0 ? 503 : error.status, { reason: error.sentence(translator(event.locals.locale)) });
    }
    redirect(303, '/scan');
  },
};
