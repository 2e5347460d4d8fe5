import { randomUUID } from 'node:crypto';
import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { admissionCookie, admissionEndsAt } from '$lib/server/admission';
import { rememberHold } from '$lib/server/recent_holds';

export const load: PageServerLoad = async (event) => {
  event.depends('app:event');
  const t = translator(event.locals.locale);
  try {
    const api = edge(event);
    // A drop without a queue answers queue_off: null here.
    const [drop, queue] = await Promise.all([api.event(event.params.id), api.queueStatus(event.params.id).catch(() => null)]);
    const admitted = event.cookies.get(admissionCookie(event.params.id)) !== undefined;
    // One key per rendering of the form: a double click or a retried POST places one hold, not two.
    return { event: drop, queue, admitted, admissionEndsAt: admitted ? admissionEndsAt(event.cookies, event.params.id) : null, attempt: randomUUID() };
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
      const hold = await edge(event).placeHold(params.id, { typeId, quantity }, attempt, event.cookies.get(admissionCookie(params.id)));
      holdId = hold.holdId;
      rememberHold(event.cookies, locals.account.id, holdId);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { typeId, reason: e.sentence(translator(locals.locale)) });
    }
    redirect(303, `/holds/${holdId}`);
  },
  /** Several types at once: every `q:<typeId>` above zero, held together (all or none); the hold page lists them by their ids. */
  basket: async (event) => {
    const { locals, params, request, url } = event;
    if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
    const form = await request.formData();
    const items: { typeId: string; quantity: number }[] = [];
    for (const [name, value] of form) {
      const quantity = Number(value);
      if (name.startsWith('q:') && Number.isInteger(quantity) && quantity > 0) items.push({ typeId: name.slice(2), quantity });
    }
    const t = translator(locals.locale);
    if (items.length === 0) return fail(400, { basket: true, reason: t('basket.empty') });
    const attempt = String(form.get('attempt') || randomUUID());
    let holdIds: string[];
    try {
      const basket = await edge(event).placeBasket(params.id, items, `basket:${attempt}`, event.cookies.get(admissionCookie(params.id)));
      holdIds = basket.holds.map((h) => h.holdId);
      rememberHold(event.cookies, locals.account.id, holdIds.join(','));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { basket: true, reason: e.sentence(t) });
    }
    redirect(303, `/holds/${holdIds.join(',')}`);
  },
};
