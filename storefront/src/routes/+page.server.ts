import type { PageServerLoad } from './$types';
import { ApiError, type EventView } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

export const load: PageServerLoad = async (event) => {
  try {
    const { events } = await edge(event).events();
    return { events, reason: null };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { events: [] as EventView[], reason: error.sentence(translator(event.locals.locale)) };
  }
};
