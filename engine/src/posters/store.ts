import { assert } from '../assert.ts';

/**
 * Where poster renditions live (#14). A rendition is stored under its key,
 * `<sha256 of its bytes>.<webp|jpg>`, so a key names one content forever:
 * writing it twice writes the same bytes, and a served rendition may be
 * cached as immutable. Which keys are still in use is Postgres's to say
 * (event_posters); a store only keeps bytes.
 *
 * Two stores, one contract (store.contract.ts): a folder (the default, in the
 * data folder) and an S3 bucket.
 */
export interface PosterStore {
  /** Keeps `bytes` under `key`; a key already there is left as it is (its content is the same). */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes under `key`, or null when there are none. */
  get(key: string): Promise<Buffer | null>;
  /** Removes `key`; a key that is not there is no error. */
  delete(key: string): Promise<void>;
  /** For logs: where the posters go. */
  readonly where: string;
}

export type PosterFormat = 'webp' | 'jpeg';

/** A rendition's key: what the GET route accepts and the stores write, nothing else (no path can be smuggled in). */
export const posterKeyPattern = /^[0-9a-f]{64}\.(webp|jpg)$/;

export function posterKey(sha256Hex: string, format: PosterFormat): string {
  const key = `${sha256Hex}.${format === 'webp' ? 'webp' : 'jpg'}`;
  assert(posterKeyPattern.test(key), 'a poster key is a SHA-256 in hex and an extension');
  return key;
}

export function contentTypeOfKey(key: string): string {
  return key.endsWith('.webp') ? 'image/webp' : 'image/jpeg';
}

export function assertKey(key: string): void {
  assert(posterKeyPattern.test(key), `not a poster key: ${JSON.stringify(key.slice(0, 80))}`);
}
