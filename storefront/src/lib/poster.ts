import type { PosterView } from './api';

/** What the browser needs for a responsive poster: WebP and JPEG `srcset`s, a JPEG `src` for the oldest browsers, the aspect ratio. */
export type PosterImage = { webpSrcset: string; jpegSrcset: string; src: string; width: number; height: number };

/** The largest upload a poster may be (engine/src/constants.ts posterBytesMax): checked before sending, so a person is told at once. */
export const posterBytesMax = 5 * 1024 * 1024;
export const posterTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** `url 320w, url 640w, …` of one format, narrowest first. */
function srcsetOf(poster: PosterView, type: string): string {
  return poster.renditions.filter((r) => r.type === type).sort((a, b) => a.width - b.width).map((r) => `${r.url} ${r.width}w`).join(', ');
}

/**
 * The poster as `<picture>` needs it; `near` picks the `src` fallback (the
 * JPEG nearest above it, else the widest). Null when there is no poster or
 * it has no JPEG to fall back to.
 */
export function posterImage(poster: PosterView | null | undefined, near = 640): PosterImage | null {
  if (!poster) return null;
  const jpegs = poster.renditions.filter((r) => r.type === 'image/jpeg').sort((a, b) => a.width - b.width);
  const fallback = jpegs.find((r) => r.width >= near) ?? jpegs[jpegs.length - 1];
  if (fallback === undefined) return null;
  return { webpSrcset: srcsetOf(poster, 'image/webp'), jpegSrcset: srcsetOf(poster, 'image/jpeg'), src: fallback.url, width: poster.width, height: poster.height };
}

/** Why a chosen file cannot be a poster, as a message key; null when it may be sent (the server still reads its content). */
export function posterFileProblem(file: { size: number; type: string }): 'poster.tooBig' | 'poster.wrongType' | 'poster.empty' | null {
  if (file.size === 0) return 'poster.empty';
  if (file.size > posterBytesMax) return 'poster.tooBig';
  if (!(posterTypes as readonly string[]).includes(file.type)) return 'poster.wrongType';
  return null;
}
