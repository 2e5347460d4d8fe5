import { posterBytesMax, posterCacheMaxAgeSeconds, posterRendersMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Logger } from '../../../engine/src/log.ts';
import { removePoster, savePoster } from '../../../engine/src/posters/posters.ts';
import { renderPoster } from '../../../engine/src/posters/render.ts';
import { contentTypeOfKey, posterKeyPattern, type PosterStore } from '../../../engine/src/posters/store.ts';
import { posterView } from '../../../engine/src/posters/view.ts';
import { requireOwnEvent } from '../auth/own_event.ts';
import { HttpError, outcomeToHttp } from '../http/errors.ts';
import type { Router } from '../http/route.ts';

/**
 * Event posters (#14).
 *
 * - `PUT /api/events/:id/poster`: the event's organizer sends the picture as
 *   the raw body (Content-Type image/jpeg, image/png or image/webp, at most
 *   `posterBytesMax`). It is decoded by its content, re-encoded without its
 *   metadata as WebP and JPEG at a few widths, stored by content hash, and
 *   replaces the event's poster. Anything that is not really a JPEG, PNG or
 *   WebP is refused (415/422) and nothing of it is stored.
 * - `DELETE /api/events/:id/poster`: removes it (204, also when there was none).
 * - `GET /api/posters/:file`: a rendition, to anyone. Its name is the hash of
 *   its bytes, so it is cached as immutable and its ETag is that hash.
 */
export type PostersDeps = { db: Db; store: PosterStore; log: Logger };

const acceptedTypes = ['image/jpeg', 'image/png', 'image/webp'];
const immutable = `public, max-age=${posterCacheMaxAgeSeconds}, immutable`;

function requireImageType(contentType: string): void {
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (acceptedTypes.includes(type)) return;
  throw new HttpError(415, 'unsupported_media_type',
    `Send the poster's bytes as the body with Content-Type image/jpeg, image/png or image/webp${type === '' ? '' : ` (this request says ${type.slice(0, 60)})`}.`);
}

export function mountPosters(router: Router, deps: PostersDeps): void {
  const { db, store } = deps;
  let rendering = 0;

  router.route('put', '/api/events/:id/poster', async (ctx) => {
    const eventId = (await requireOwnEvent(ctx, db)).event.id;
    requireImageType(ctx.headers['content-type']);
    const bytes = ctx.rawBody!;
    if (bytes.length === 0) throw new HttpError(422, 'not_an_image', 'The body is empty; send the picture\'s bytes as the body.');
    if (rendering >= posterRendersMax) throw outcomeToHttp({ ok: false, reason: 'busy' });
    rendering++;
    let outcome: Awaited<ReturnType<typeof renderPoster>>;
    try {
      outcome = await renderPoster(bytes);
    } finally {
      rendering--;
    }
    if (!outcome.ok) throw new HttpError(outcome.reason === 'unsupported_image' ? 415 : 422, outcome.reason, outcome.message);
    const poster = await savePoster(deps, eventId, outcome.poster);
    return { status: 200, body: { poster: posterView(poster) } };
  }, { body: 'raw', bytesMax: posterBytesMax });

  router.route('delete', '/api/events/:id/poster', async (ctx) => {
    const eventId = (await requireOwnEvent(ctx, db)).event.id;
    await removePoster(deps, eventId);
    return { status: 204, body: '' };
  });

  router.route('get', '/api/posters/:file', async (ctx) => {
    const key = ctx.params.file ?? '';
    if (!posterKeyPattern.test(key)) {
      throw new HttpError(404, 'poster_not_found', 'No such poster picture; use a URL from an event\'s poster.renditions.');
    }
    const etag = `"${key.slice(0, 64)}"`;
    const headers = { 'content-type': contentTypeOfKey(key), 'cache-control': immutable, etag };
    // The name is the content's hash: a cached copy with this ETag is this content, with no need to read the store.
    if (ctx.headers['if-none-match'].split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
      return { status: 304, body: Buffer.alloc(0), headers };
    }
    const bytes = await store.get(key);
    if (bytes === null) throw new HttpError(404, 'poster_not_found', 'No such poster picture (it was replaced or removed); reload the event for its current poster.');
    return { status: 200, body: bytes, headers };
  });
}
