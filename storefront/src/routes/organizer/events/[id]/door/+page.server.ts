import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

export const load: PageServerLoad = async (event) => {
  const api = edge(event);
  const id = event.params.id;
  const [staff, lists, stats] = await Promise.all([
    api.staff(id).then((r) => r.staff).catch(() => []),
    api.checkinLists(id).then((r) => r.lists).catch(() => []),
    api.checkinStats(id).catch(() => null),
  ]);
  return { staff, lists, stats };
};

/** Runs one call; an expected refusal comes back as a sentence for the form. */
async function attempt(event: Parameters<Actions[string]>[0], run: () => Promise<unknown>, done: string) {
  try {
    await run();
    return { done };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
  }
}

export const actions: Actions = {
  addStaff: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '').trim();
    const name = String(form.get('name') ?? '').trim();
    // The invite email is written in the organizer's language; the invitee chooses the password.
    const body = { email, locale: event.locals.locale, ...(name ? { name } : {}) };
    return attempt(event, () => edge(event).addStaff(event.params.id, body), 'staffAdded');
  },
  removeStaff: async (event) => {
    const form = await event.request.formData();
    return attempt(event, () => edge(event).removeStaff(event.params.id, String(form.get('staffId') ?? '')), 'staffRemoved');
  },
  addList: async (event) => {
    const form = await event.request.formData();
    const typeIds = form.getAll('typeIds').map(String);
    return attempt(event, () => edge(event).createCheckinList(event.params.id, { name: String(form.get('name') ?? '').trim(), ...(typeIds.length ? { typeIds } : {}) }), 'listAdded');
  },
  removeList: async (event) => {
    const form = await event.request.formData();
    return attempt(event, () => edge(event).deleteCheckinList(event.params.id, String(form.get('listId') ?? '')), 'listRemoved');
  },
};
