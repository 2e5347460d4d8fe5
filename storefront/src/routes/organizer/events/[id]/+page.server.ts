import type { PageServerLoad } from './$types';
import { edge } from '$lib/server/edge';

/** The first paint; the page then follows the queue over the WebSocket and polls the numbers. */
export const load: PageServerLoad = async (event) => {
  const api = edge(event);
  const [queue, sales] = await Promise.all([
    api.queueStatus(event.params.id).catch(() => null),
    api.sales(event.params.id).catch(() => null),
  ]);
  return { queue, sales: sales?.points ?? [], created: event.url.searchParams.has('created'), published: event.url.searchParams.has('published') };
};
