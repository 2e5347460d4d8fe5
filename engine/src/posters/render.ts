import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { posterJpegQuality, posterPixelsMax, posterWebpQuality, posterWidthsPx } from '../constants.ts';
import { posterKey, type PosterFormat } from './store.ts';

/**
 * An uploaded poster, decoded and rendered (#14). What the bytes are is read
 * from the bytes, never from the Content-Type they came with: only JPEG, PNG
 * and WebP are decoded, anything else (an HTML page labelled image/png, a
 * text file named .png, a truncated image) is refused and never stored.
 *
 * Each rendition is re-encoded from the decoded pixels, so nothing of the
 * upload survives but its picture: no EXIF (GPS position, camera serial),
 * no XMP, no ICC profile beyond sRGB, no trailing bytes after the image.
 * EXIF orientation is applied first, so a phone photo stands as it was taken.
 */

export type Rendition = { width: number; height: number; format: PosterFormat; key: string; bytes: Buffer };
export type Rendered = { source: { format: 'jpeg' | 'png' | 'webp'; width: number; height: number }; renditions: Rendition[] };
export type RenderOutcome = { ok: true; poster: Rendered } | { ok: false; reason: 'not_an_image' | 'unsupported_image' | 'image_too_large'; message: string };

const accepted = new Set(['jpeg', 'png', 'webp']);

/** The widths to render for a source `width` pixels wide: the standard ones below it, and the source's own when it is narrower than the widest. */
export function widthsFor(width: number): number[] {
  const below = posterWidthsPx.filter((w) => w < width);
  const widest = posterWidthsPx[posterWidthsPx.length - 1]!;
  return width >= widest ? [...below.filter((w) => w < widest), widest] : [...below, width];
}

export async function renderPoster(bytes: Buffer): Promise<RenderOutcome> {
  let meta: Metadata;
  try {
    // `limitInputPixels` refuses a decompression bomb from its header, before any pixel is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return { ok: false, reason: 'not_an_image', message: 'The file is not an image Tickr can read; upload a JPEG, PNG or WebP picture.' };
  }
  if (meta.format === undefined || !accepted.has(meta.format)) {
    return { ok: false, reason: 'unsupported_image', message: `The file is a${/^[aeiou]/i.test(meta.format ?? '') ? 'n' : ''} ${(meta.format ?? 'unknown').toUpperCase()} image; upload a JPEG, PNG or WebP picture.` };
  }
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  if (width * height > posterPixelsMax) {
    return { ok: false, reason: 'image_too_large', message: `The picture is ${width} × ${height} pixels; upload one of at most ${posterPixelsMax / 1_000_000} megapixels (e.g. 6000 × 6000).` };
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    // One full decode, strict: a truncated or corrupt image fails here (failOn 'warning'), not half-rendered.
    // Scaled to the widest rendition at once, so a large photo is held in memory at poster size, not camera size.
    decoded = await sharp(bytes, { failOn: 'warning', limitInputPixels: posterPixelsMax, pages: 1 })
      .autoOrient().resize({ width: posterWidthsPx[posterWidthsPx.length - 1]!, withoutEnlargement: true })
      .toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch {
    return { ok: false, reason: 'not_an_image', message: 'The picture is damaged or cut short; export it again as JPEG, PNG or WebP and upload that file.' };
  }
  const raw = { raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels } } as const;
  const renditions: Rendition[] = [];
  for (const w of widthsFor(decoded.info.width)) {
    const resized = sharp(decoded.data, raw).resize({ width: w, withoutEnlargement: true });
    const webp = await resized.clone().webp({ quality: posterWebpQuality }).toBuffer({ resolveWithObject: true });
    // JPEG has no transparency: a transparent PNG is set on white, as a page would show it.
    const jpeg = await resized.clone().flatten({ background: '#ffffff' }).jpeg({ quality: posterJpegQuality, mozjpeg: true }).toBuffer({ resolveWithObject: true });
    for (const [format, out] of [['webp', webp], ['jpeg', jpeg]] as const) {
      const hash = createHash('sha256').update(out.data).digest('hex');
      renditions.push({ width: out.info.width, height: out.info.height, format, key: posterKey(hash, format), bytes: out.data });
    }
  }
  return { ok: true, poster: { source: { format: meta.format as 'jpeg' | 'png' | 'webp', width, height }, renditions } };
}
