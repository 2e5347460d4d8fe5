import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { requireAccount } from '$lib/server/guard';

export const load: PageServerLoad = async (event) => {
  const { allowed } = requireAccount(event.locals, event.url, 'organizer');
  const t = translator(event.locals.locale);
  if (!allowed) error(403, t('org.organizersOnly'));
  try {
    return { events: (await edge(event).myEvents()).events };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
};
