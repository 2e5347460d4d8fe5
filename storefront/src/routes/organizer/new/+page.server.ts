import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator, type MessageKey } from '$lib/i18n';
import { eventBody } from '$lib/organizer/form';
import { edge } from '$lib/server/edge';
import { requireAccount } from '$lib/server/guard';

export const load: PageServerLoad = ({ locals, url }) => {
  const { allowed } = requireAccount(locals, url, 'organizer');
  if (!allowed) error(403, translator(locals.locale)('org.organizersOnly'));
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const t = translator(event.locals.locale);
    const made = eventBody(form);
    if (!made.ok) return fail(400, { reason: t(made.problem as MessageKey) });
    let id: string;
    try {
      id = (await edge(event).createEvent(made.body)).id;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(t) });
    }
    redirect(303, `/organizer/events/${id}?created=1`);
  },
};
