import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { ApiError, type StaffEventView } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { requireAccount } from '$lib/server/guard';

/** The events this account may scan for: assigned as staff, or its own as organizer. */
export const load: PageServerLoad = async (event) => {
  const { account, allowed } = requireAccount(event.locals, event.url, 'staff', 'organizer');
  const t = translator(event.locals.locale);
  if (!allowed) error(403, t('scan.staffOnly'));
  const api = edge(event);
  try {
    const assigned = (await api.staffEvents()).events;
    const own: StaffEventView[] = account.role === 'organizer'
      ? (await api.myEvents()).events.map((e) => ({ id: e.id, name: e.name, venue: e.venue, startsAt: e.startsAt, timeZone: e.timeZone }))
      : [];
    const seen = new Set<string>();
    const events = [...assigned, ...own].filter((e) => !seen.has(e.id) && seen.add(e.id));
    return { events };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
};
