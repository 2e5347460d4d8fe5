import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator, type MessageKey } from '$lib/i18n';
import { editBody, formField } from '$lib/organizer/form';
import { edge } from '$lib/server/edge';

export const load: PageServerLoad = async (event) => ({ saved: event.url.searchParams.has('saved') });

export const actions: Actions = {
  /** Saves the whole form as one PATCH; a refusal comes back as a sentence beside the field the edge named. */
  save: async (event) => {
    const t = translator(event.locals.locale);
    const api = edge(event);
    const form = await event.request.formData();
    let current;
    try {
      current = await api.event(event.params.id);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { field: null, reason: e.sentence(t) });
    }
    // What was typed goes back with a refusal, so the page shows it again (with or without JavaScript).
    const values: Record<string, string> = {};
    for (const [k, v] of form) if (typeof v === 'string' && !k.startsWith('newType')) values[k] = v;
    const made = editBody(form, current);
    if (!made.ok) return fail(400, { field: made.field, reason: t(made.problem as MessageKey), values });
    try {
      await api.patchEvent(event.params.id, made.body);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { field: formField(e.detail.field, made.body), reason: e.sentence(t), values });
    }
    redirect(303, `/organizer/events/${event.params.id}/edit?saved=1`);
  },
  publish: async (event) => {
    const t = translator(event.locals.locale);
    try {
      await edge(event).publishEvent(event.params.id);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { field: null, reason: e.sentence(t) });
    }
    redirect(303, `/organizer/events/${event.params.id}?published=1`);
  },
};
