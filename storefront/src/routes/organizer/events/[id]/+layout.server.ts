import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import type { LayoutServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { requireAccount } from '$lib/server/guard';

/** The organizer's own event, for every tab; another organizer's event reads as missing, as at the edge. */
export const load: LayoutServerLoad = async (event) => {
  const { account, allowed } = requireAccount(event.locals, event.url, 'organizer');
  const t = translator(event.locals.locale);
  if (!allowed) error(403, t('org.organizersOnly'));
  try {
    const drop = await edge(event).event(event.params.id);
    if (drop.organizerId !== account.id) error(404, t('error.notFound'));
    return { event: drop, wsUrl: env.TICKR_PUBLIC_WS_URL || null, edgePort: Number(env.TICKR_EDGE_PORT || 3000) };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
};
