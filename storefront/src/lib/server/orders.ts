import type { Api, EventView, OrderView, TicketView } from '$lib/api';

/** Events by id for a list of orders (or holds): each event asked once, a missing one left out. */
export async function eventsOf(api: Api, orders: { eventId: string }[]): Promise<Record<string, EventView>> {
  const ids = [...new Set(orders.map((o) => o.eventId))];
  const found = await Promise.all(ids.map((id) => api.event(id).catch(() => null)));
  const byId: Record<string, EventView> = {};
  for (const e of found) if (e !== null) byId[e.id] = e;
  return byId;
}

/** Tickets exist once an order is ticketed (or refunded: then revoked, still shown as such). */
export async function ticketsOf(api: Api, order: OrderView): Promise<TicketView[]> {
  if (order.status !== 'ticketed' && order.status !== 'refunded' && order.status !== 'paid') return [];
  return (await api.orderTickets(order.id).catch(() => ({ tickets: [] as TicketView[] }))).tickets;
}
