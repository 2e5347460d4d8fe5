import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import type { PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { requireAccount } from '$lib/server/guard';

export const load: PageServerLoad = async (event) => {
  const { allowed } = requireAccount(event.locals, event.url, 'operator', 'admin');
  const t = translator(event.locals.locale);
  if (!allowed) error(403, t('ops.operatorsOnly'));
  try {
    return { status: await edge(event).opsStatus(), edgePort: Number(env.TICKR_EDGE_PORT || 3000), publicApi: env.TICKR_PUBLIC_API_URL || null };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
};
