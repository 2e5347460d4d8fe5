import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { safeBack, sameOriginPath } from '$lib/server/paths';
import { setSession } from '$lib/server/session';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.account) redirect(303, safeBack(url.searchParams.get('next')));
  // No `next` asked for: empty, so the sign-in lands by role.
  return { next: sameOriginPath(url.searchParams.get('next')) ?? '', ended: url.searchParams.get('ended') === '1', reset: url.searchParams.get('reset') === '1' };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    let next = sameOriginPath(form.get('next'));
    try {
      const { token, account } = await edge(event).signin({ email, password });
      setSession(event.cookies, token);
      // Nowhere asked for: each role lands where its work is (door staff on their scanner).
      next ??= homeOf(account.role);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return fail(error.status === 0 ? 503 : error.status, { email, reason: error.sentence(translator(event.locals.locale)) });
    }
    redirect(303, next);
  },
};

function homeOf(role: string): string {
  if (role === 'staff') return '/scan';
  if (role === 'organizer') return '/organizer';
  return '/';
}
