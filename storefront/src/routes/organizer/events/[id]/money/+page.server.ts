import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError, type OrderView } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/** Orders shown per search: enough to find a buyer, not a ledger. */
const ordersShownMax = 10;

export const load: PageServerLoad = async (event) => {
  const api = edge(event);
  const t = translator(event.locals.locale);
  const q = (event.url.searchParams.get('q') ?? '').trim();
  const payout = await api.payout(event.params.id).catch(() => null);
  let orders: (OrderView & { holders: string[] })[] = [];
  let searchProblem: string | null = null;
  if (q.length > 0) {
    try {
      // Refunds are found by the holder's name or the order id, through the door's look-up (the organizer may use it).
      const { tickets } = await api.checkinLookup(event.params.id, q);
      const byOrder = new Map<string, string[]>();
      for (const ticket of tickets) byOrder.set(ticket.orderId, [...(byOrder.get(ticket.orderId) ?? []), ticket.holderName ?? '']);
      const ids = [...byOrder.keys()].slice(0, ordersShownMax);
      const found = await Promise.all(ids.map((id) => api.order(id).catch(() => null)));
      orders = found.filter((o): o is OrderView => o !== null).map((o) => ({ ...o, holders: [...new Set(byOrder.get(o.id) ?? [])] }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      searchProblem = e.sentence(t);
    }
  }
  return { payout, q, orders, searchProblem };
};

export const actions: Actions = {
  refund: async (event) => {
    const form = await event.request.formData();
    try {
      const order = await edge(event).refund(String(form.get('orderId') ?? ''));
      return { done: order.status === 'refunded' ? 'refunded' : 'refundQueued' };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
    }
  },
};
