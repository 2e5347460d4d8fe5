import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { eventsOf, ticketsOf } from '$lib/server/orders';
import { refundAction } from '$lib/server/refund';

export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  event.depends('app:order');
  const api = edge(event);
  try {
    const order = await api.order(params.id);
    const [events, tickets] = await Promise.all([eventsOf(api, [order]), ticketsOf(api, order)]);
    // Stripe sends the buyer back with redirect_status=succeeded, sometimes before its webhook: shown as "issuing", nothing more.
    return { order, event: events[order.eventId] ?? null, tickets, returnedPaid: url.searchParams.get('redirect_status') === 'succeeded' };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(translator(locals.locale)));
    throw e;
  }
};

export const actions: Actions = {
  refund: refundAction,
  /** Names who holds one ticket of this order (shown on the pass and at the door). */
  holder: async (event) => {
    const form = await event.request.formData();
    const ticketId = String(form.get('ticketId') ?? '');
    const name = String(form.get('name') ?? '').trim();
    const t = translator(event.locals.locale);
    try {
      await edge(event).setHolder(ticketId, name);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { holderTicket: ticketId, reason: e.sentence(t) });
    }
    return { holderSaved: ticketId };
  },
};
