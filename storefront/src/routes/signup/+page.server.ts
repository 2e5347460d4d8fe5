import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { safeBack } from '$lib/server/paths';
import { setSession } from '$lib/server/session';
import { contactFromForm } from '$lib/contact';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.account) redirect(303, safeBack(url.searchParams.get('next')));
  return { next: safeBack(url.searchParams.get('next')) };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '').trim();
    const name = String(form.get('name') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const role = form.get('role') === 'organizer' ? 'organizer' : 'participant';
    const contact = contactFromForm(form);
    const fallback = role === 'organizer' ? '/organizer' : '/';
    const next = safeBack(form.get('next'), fallback);
    try {
      const { token } = await edge(event).signup({ email, name, password, role, ...contact });
      setSession(event.cookies, token);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return fail(error.status === 0 ? 503 : error.status, { email, name, role, phone: contact.phone ?? '', notify: contact.notify ?? 'email', reason: error.sentence(translator(event.locals.locale)) });
    }
    redirect(303, next === '/' ? fallback : next);
  },
};
