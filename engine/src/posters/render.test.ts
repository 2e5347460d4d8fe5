import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { posterWidthsPx } from '../constants.ts';
import { renderPoster, widthsFor } from './render.ts';
import { posterKeyPattern } from './store.ts';
import { createHash } from 'node:crypto';
import { picture } from '../testing/pictures.ts';

describe('widthsFor', () => {
  it('renders the standard widths for a wide source, and stops at a narrow source\'s own width', () => {
    expect(widthsFor(4000)).toEqual([...posterWidthsPx]);
    expect(widthsFor(1280)).toEqual([320, 640, 1280]);
    expect(widthsFor(700)).toEqual([320, 640, 700]);
    expect(widthsFor(320)).toEqual([320]);
    expect(widthsFor(100)).toEqual([100]);
  });
});

describe('renderPoster', () => {
  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`reads a ${format.toUpperCase()} by its content and renders WebP and JPEG at each width`, async () => {
      const out = await renderPoster(await picture(format, 1600, 900));
      if (!out.ok) throw new Error(out.message);
      expect(out.poster.source).toEqual({ format, width: 1600, height: 900 });
      const got = out.poster.renditions.map((r) => `${r.format} ${r.width}x${r.height}`);
      expect(got).toEqual(['webp 320x180', 'jpeg 320x180', 'webp 640x360', 'jpeg 640x360', 'webp 1280x720', 'jpeg 1280x720']);
      for (const r of out.poster.renditions) {
        const meta = await sharp(r.bytes).metadata();
        expect(meta.format).toBe(r.format);
        expect([meta.width, meta.height]).toEqual([r.width, r.height]);
        // The key is the SHA-256 of the bytes stored under it.
        expect(r.key).toMatch(posterKeyPattern);
        expect(r.key.slice(0, 64)).toBe(createHash('sha256').update(r.bytes).digest('hex'));
      }
    });
  }

  it('strips EXIF (camera, place) from every rendition', async () => {
    const source = await picture('jpeg', 800, 600, { exif: true });
    expect((await sharp(source).metadata()).exif).toBeDefined();
    const out = await renderPoster(source);
    if (!out.ok) throw new Error(out.message);
    for (const r of out.poster.renditions) {
      const meta = await sharp(r.bytes).metadata();
      expect(meta.exif, `${r.format} ${r.width}`).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(r.bytes.includes(Buffer.from('PosterCam'))).toBe(false);
    }
  });

  it('applies EXIF orientation, so a phone photo taken upright stays upright', async () => {
    // 800 × 400 stored sideways (orientation 6: rotate 90° clockwise to show).
    const sideways = await sharp({ create: { width: 800, height: 400, channels: 3, background: 'blue' } }).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const out = await renderPoster(sideways);
    if (!out.ok) throw new Error(out.message);
    expect(out.poster.source).toMatchObject({ width: 400, height: 800 });
    expect(out.poster.renditions.filter((r) => r.format === 'webp').map((r) => [r.width, r.height])).toEqual([[320, 640], [400, 800]]);
  });

  it('sets a transparent PNG on white for JPEG and keeps its transparency in WebP', async () => {
    const out = await renderPoster(await picture('png', 400, 400, { alpha: true }));
    if (!out.ok) throw new Error(out.message);
    const webp = out.poster.renditions.find((r) => r.format === 'webp')!;
    const jpeg = out.poster.renditions.find((r) => r.format === 'jpeg')!;
    expect((await sharp(webp.bytes).metadata()).hasAlpha).toBe(true);
    expect((await sharp(jpeg.bytes).metadata()).hasAlpha).toBe(false);
  });

  it('never enlarges a small picture', async () => {
    const out = await renderPoster(await picture('png', 200, 300));
    if (!out.ok) throw new Error(out.message);
    expect(out.poster.renditions.map((r) => [r.width, r.height])).toEqual([[200, 300], [200, 300]]);
  });

  it('refuses what is not an image, whatever it is called', async () => {
    for (const bytes of [Buffer.from('just some text, saved as poster.png\n'), Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'), Buffer.alloc(0)]) {
      expect(await renderPoster(bytes)).toMatchObject({ ok: false, reason: 'not_an_image' });
    }
  });

  it('refuses other image formats (GIF, TIFF, SVG) by content', async () => {
    expect(await renderPoster(await picture('gif', 50, 50))).toMatchObject({ ok: false, reason: 'unsupported_image' });
    expect(await renderPoster(await picture('tiff', 50, 50))).toMatchObject({ ok: false, reason: 'unsupported_image' });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect(await renderPoster(svg)).toMatchObject({ ok: false, reason: 'unsupported_image' });
  });

  it('refuses a truncated image', async () => {
    const whole = await picture('jpeg', 1200, 800);
    expect(await renderPoster(whole.subarray(0, Math.floor(whole.length / 2)))).toMatchObject({ ok: false, reason: 'not_an_image' });
    const png = await picture('png', 1200, 800);
    expect(await renderPoster(png.subarray(0, Math.floor(png.length / 2)))).toMatchObject({ ok: false, reason: 'not_an_image' });
  });

  it('refuses a picture over the pixel bound from its header, before decoding it', async () => {
    // A small file that claims 8000 × 8000 pixels (64 megapixels), as a decompression bomb does.
    const bomb = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: 'white' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await renderPoster(bomb)).toMatchObject({ ok: false, reason: 'image_too_large' });
  });
});
