import { fail } from '@sveltejs/kit';
import type { Actions } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { posterFileProblem } from '$lib/poster';
import { edge } from '$lib/server/edge';

/**
 * The poster tab: the event (with its poster) comes from the layout. Upload
 * is a multipart form (works without JavaScript); its file goes on to the
 * edge as the raw body with the file's type. Every refusal comes back as a
 * sentence for the form.
 */
export const actions: Actions = {
  upload: async (event) => {
    const t = translator(event.locals.locale);
    const file = (await event.request.formData()).get('poster');
    if (!(file instanceof File)) return fail(400, { reason: t('poster.empty') });
    const problem = posterFileProblem(file);
    if (problem !== null) return fail(problem === 'poster.tooBig' ? 413 : problem === 'poster.empty' ? 400 : 415, { reason: t(problem) });
    try {
      await edge(event).uploadPoster(event.params.id, new Uint8Array(await file.arrayBuffer()), file.type);
      return { done: 'uploaded' as const };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.code === 'body_too_large' ? t('poster.tooBig') : e.sentence(t) });
    }
  },
  remove: async (event) => {
    try {
      await edge(event).removePoster(event.params.id);
      return { done: 'removed' as const };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
    }
  },
};
