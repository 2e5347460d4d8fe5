import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError, type HoldView, type TicketView } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { eventsOf, ticketsOf } from '$lib/server/orders';
import { recentHolds } from '$lib/server/recent_holds';
import { refundAction } from '$lib/server/refund';

/**
 * A hold still held (#15), or a basket's holds (`holds`, `hold` its first), and where to go on with it: its pending order's
 * page (with Pay), or the hold page to choose how to pay.
 */
export type PendingHold = { hold: HoldView; holds: HoldView[]; continueTo: string };

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
    // An entry is a hold id, or a basket's ids joined by commas (one hold per type).
    const orderEntries = unpaid.map((o) => (o.lines.length > 1 ? o.lines.map((l) => l.holdId).join(',') : o.holdId));
    const remembered = recentHolds(event.cookies, locals.account.id).filter((entry) => !unpaid.some((o) => o.holdId === entry.split(',')[0]));
    const entries = [...new Set([...remembered, ...orderEntries])];
    const found = await Promise.all(entries.map((entry) => Promise.all(entry.split(',').map((id) => api.hold(id).catch(() => null)))));
    const live = (h: HoldView | null): h is HoldView => h !== null && h.status === 'held' && Date.parse(h.expiresAt) > Date.now();
    const pending: PendingHold[] = found
      .filter((holds): holds is HoldView[] => holds.length > 0 && holds.every(live))
      .map((holds) => {
        const hold = holds[0]!;
        const order = unpaid.find((o) => o.holdId === hold.holdId);
        return { hold, holds, continueTo: order === undefined ? `/holds/${holds.map((h) => h.holdId).join(',')}` : `/orders/${order.id}` };
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
