import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { isLocale } from '$lib/i18n';
import { localeCookie } from '$lib/session';
import { safeBack } from '$lib/server/paths';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async ({ request, cookies }) => {
    const form = await request.formData();
    const lang = form.get('lang');
    // A year: a language choice is a lasting preference, readable by nothing but the server.
    if (isLocale(lang)) cookies.set(localeCookie, lang, { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge: 365 * 24 * 3600 });
    redirect(303, safeBack(form.get('back')));
  },
};
