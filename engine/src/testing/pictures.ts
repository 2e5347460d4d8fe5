import { randomInt } from 'node:crypto';
import sharp from 'sharp';

/**
 * A picture of `width` × `height` in `format`, of a random colour (so two
 * calls never make the same renditions), with EXIF (the camera and a place)
 * when asked.
 */
export async function picture(format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff', width = 1600, height = 900, opts: { exif?: boolean; alpha?: boolean } = {}): Promise<Buffer> {
  const colour = { r: randomInt(256), g: randomInt(256), b: randomInt(256) };
  let image = sharp({ create: { width, height, channels: opts.alpha ? 4 : 3, background: opts.alpha ? { ...colour, alpha: 0.5 } : colour } });
  if (opts.exif) image = image.withExif({ IFD0: { Make: 'PosterCam', Model: 'Secret Model 9', ImageDescription: 'taken at 36.8065N 10.1815E' } });
  return image.toFormat(format).toBuffer();
}
