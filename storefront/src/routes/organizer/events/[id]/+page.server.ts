import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/** The first paint; the page then follows the queue over the WebSocket and polls the numbers (and a cancellation's progress). */
export const load: PageServerLoad = async (event) => {
  const api = edge(event);
  const [queue, sales, cancellation] = await Promise.all([
    api.queueStatus(event.params.id).catch(() => null),
    api.sales(event.params.id).catch(() => null),
    api.cancellation(event.params.id).then((c) => c.cancellation, () => null),
  ]);
  return { queue, sales: sales?.points ?? [], cancellation, created: event.url.searchParams.has('created'), published: event.url.searchParams.has('published') };
};

export const actions: Actions = {
  /** Cancels the event, confirmed by its name typed in full (the edge checks it too). */
  cancel: async (event) => {
    const t = translator(event.locals.locale);
    const form = await event.request.formData();
    const typed = String(form.get('eventName') ?? '');
    try {
      const cancellation = await edge(event).cancelEvent(event.params.id, typed);
      return { cancelled: true, cancellation };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { cancelProblem: e.sentence(t), typed });
    }
  },
};
