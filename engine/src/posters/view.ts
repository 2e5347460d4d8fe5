import type { PosterRow } from '../db/posters.ts';

/** Where the edge serves a rendition; `base` '' gives a path on the API's origin, an address gives an absolute URL (emails). */
export function posterUrl(key: string, base = ''): string {
  return `${base}/api/posters/${key}`;
}

/**
 * An event's poster as the API shows it: the source's size (for the aspect
 * ratio, so a page keeps its place while the picture loads) and every
 * rendition, narrowest first, for `srcset` (WebP, and JPEG for the rest).
 */
export function posterView(poster: PosterRow | null | undefined, base = '') {
  if (poster === null || poster === undefined) return null;
  return {
    width: poster.width,
    height: poster.height,
    uploadedAt: poster.uploadedAt.toISOString(),
    renditions: poster.renditions.map((r) => ({ url: posterUrl(r.key, base), type: r.format === 'webp' ? 'image/webp' : 'image/jpeg', width: r.width, height: r.height })),
  };
}

export type PosterView = NonNullable<ReturnType<typeof posterView>>;
