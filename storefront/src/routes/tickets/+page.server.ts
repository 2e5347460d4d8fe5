import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError, type TicketView } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { eventsOf, ticketsOf } from '$lib/server/orders';
import { refundAction } from '$lib/server/refund';

/** My tickets: the passes of every ticketed order first, then the whole order history. */
export const load: PageServerLoad = async (event) => {
  const { locals, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const api = edge(event);
  try {
    const { orders } = await api.orders();
    const ticketed = orders.filter((o) => o.status === 'ticketed');
    const [events, tickets] = await Promise.all([eventsOf(api, orders), Promise.all(ticketed.map((o) => ticketsOf(api, o)))]);
    const passes: Record<string, TicketView[]> = {};
    ticketed.forEach((o, n) => (passes[o.id] = tickets[n]!));
    return { orders, events, passes };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(translator(locals.locale)));
    throw e;
  }
};

export const actions: Actions = { refund: refundAction };
