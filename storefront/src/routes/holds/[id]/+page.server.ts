import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const t = translator(locals.locale);
  const api = edge(event);
  try {
    const hold = await api.hold(params.id);
    const drop = await api.event(hold.eventId);
    const type = drop.ticketTypes.find((x) => x.id === hold.typeId) ?? null;
    return { hold, event: drop, type, expired: false };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'hold_expired') return { hold: null, event: null, type: null, expired: true };
    if (e instanceof ApiError && e.status === 404) error(404, e.sentence(t));
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
};

export const actions: Actions = {
  release: async (event) => {
    try {
      const hold = await edge(event).releaseHold(event.params.id);
      redirect(303, `/events/${hold.eventId}?released=1`);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
    }
  },
};
