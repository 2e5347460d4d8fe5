import { randomUUID } from 'node:crypto';
import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

export const load: PageServerLoad = async (event) => {
  event.depends('app:event');
  const t = translator(event.locals.locale);
  try {
    const drop = await edge(event).event(event.params.id);
    // One key per rendering of the form: a double click or a retried POST places one hold, not two.
    return { event: drop, attempt: randomUUID() };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) error(404, t('error.notFound'));
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
};

export const actions: Actions = {
  hold: async (event) => {
    const { locals, params, request, url } = event;
    if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
    const form = await request.formData();
    const typeId = String(form.get('typeId') ?? '');
    const quantity = Number(form.get('quantity') ?? 1);
    const attempt = String(form.get('attempt') || randomUUID());
    let holdId: string;
    try {
      const hold = await edge(event).placeHold(params.id, { typeId, quantity }, attempt, event.cookies.get(`tickr_admission_${params.id}`));
      holdId = hold.holdId;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { typeId, reason: e.sentence(translator(locals.locale)) });
    }
    redirect(303, `/holds/${holdId}`);
  },
};
