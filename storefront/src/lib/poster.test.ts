import { describe, expect, it } from 'vitest';
import type { PosterView } from './api';
import { posterFileProblem, posterImage, posterBytesMax } from './poster';
import { posterBytesMax as serverLimit } from '../../../engine/src/constants';

const poster: PosterView = {
  width: 2000, height: 1000, uploadedAt: '2030-01-01T00:00:00.000Z',
  renditions: [
    { url: '/api/posters/a.webp', type: 'image/webp', width: 320, height: 160 },
    { url: '/api/posters/a.jpg', type: 'image/jpeg', width: 320, height: 160 },
    { url: '/api/posters/b.webp', type: 'image/webp', width: 640, height: 320 },
    { url: '/api/posters/b.jpg', type: 'image/jpeg', width: 640, height: 320 },
    { url: '/api/posters/c.webp', type: 'image/webp', width: 1280, height: 640 },
    { url: '/api/posters/c.jpg', type: 'image/jpeg', width: 1280, height: 640 },
  ],
};

describe('posterImage', () => {
  it('gives one srcset per format, narrowest first, and the JPEG nearest above the wanted width as src', () => {
    expect(posterImage(poster)).toEqual({
      webpSrcset: '/api/posters/a.webp 320w, /api/posters/b.webp 640w, /api/posters/c.webp 1280w',
      jpegSrcset: '/api/posters/a.jpg 320w, /api/posters/b.jpg 640w, /api/posters/c.jpg 1280w',
      src: '/api/posters/b.jpg', width: 2000, height: 1000,
    });
    expect(posterImage(poster, 321)?.src).toBe('/api/posters/b.jpg');
    expect(posterImage(poster, 5000)?.src).toBe('/api/posters/c.jpg');
  });

  it('is null without a poster', () => {
    expect(posterImage(null)).toBeNull();
    expect(posterImage(undefined)).toBeNull();
  });
});

describe('posterFileProblem', () => {
  it('says what is wrong with a file before it is sent', () => {
    expect(posterFileProblem({ size: 1000, type: 'image/png' })).toBeNull();
    expect(posterFileProblem({ size: posterBytesMax, type: 'image/jpeg' })).toBeNull();
    expect(posterFileProblem({ size: posterBytesMax + 1, type: 'image/jpeg' })).toBe('poster.tooBig');
    expect(posterFileProblem({ size: 1000, type: 'image/gif' })).toBe('poster.wrongType');
    expect(posterFileProblem({ size: 0, type: 'image/png' })).toBe('poster.empty');
  });

  it('uses the server\'s limit', () => {
    expect(posterBytesMax).toBe(serverLimit);
  });
});
