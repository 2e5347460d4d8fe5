import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError, type HoldView, type TicketView } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { eventsOf, ticketsOf } from '$lib/server/orders';
import { recentHolds } from '$lib/server/recent_holds';
import { refundAction } from '$lib/server/refund';

/** A hold still held (#15), and where to go on with it: its pending order's page (with Pay), or the hold's page to choose how to pay. */
export type PendingHold = { hold: HoldView; continueTo: string };

/** My tickets: pending holds with their countdown, the passes of every ticketed order, then the whole order history. */
export const load: PageServerLoad = async (event) => {
  const { locals, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const api = edge(event);
  try {
    const { orders } = await api.orders();
    const ticketed = orders.filter((o) => o.status === 'ticketed');
    // Checked out and not paid yet: the order names its hold, on any device. Not checked out yet: this browser remembers it.
    const unpaid = orders.filter((o) => o.status === 'pending' && o.payment?.status !== 'succeeded');
    const holdIds = [...new Set([...recentHolds(event.cookies, locals.account.id), ...unpaid.map((o) => o.holdId)])];
    const found = await Promise.all(holdIds.map((id) => api.hold(id).catch(() => null)));
    const pending: PendingHold[] = found
      .filter((h): h is HoldView => h !== null && h.status === 'held' && Date.parse(h.expiresAt) > Date.now())
      .map((hold) => {
        const order = unpaid.find((o) => o.holdId === hold.holdId);
        return { hold, continueTo: order === undefined ? `/holds/${hold.holdId}` : `/orders/${order.id}` };
      });
    const [events, tickets] = await Promise.all([eventsOf(api, [...orders, ...pending.map((p) => p.hold)]), Promise.all(ticketed.map((o) => ticketsOf(api, o)))]);
    const passes: Record<string, TicketView[]> = {};
    ticketed.forEach((o, n) => (passes[o.id] = tickets[n]!));
    return { orders, events, passes, pending };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(translator(locals.locale)));
    throw e;
  }
};

export const actions: Actions = { refund: refundAction };
