import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertKey, type PosterStore } from './store.ts';

/**
 * Posters in a folder (by default `posters` in the data folder). A put writes
 * a temporary file and renames it into place, so a reader never sees half a
 * rendition, and two puts of one key (the same bytes) cannot interleave.
 */
export function localPosterStore(dir: string): PosterStore {
  let made: Promise<unknown> | null = null;
  const ready = () => (made ??= mkdir(dir, { recursive: true }).catch((error: unknown) => {
    made = null;
    throw error;
  }));
  return {
    where: dir,
    async put(key, bytes) {
      assertKey(key);
      await ready();
      const temporary = join(dir, `.${key}.${randomUUID()}.tmp`);
      await writeFile(temporary, bytes);
      await rename(temporary, join(dir, key));
    },
    async get(key) {
      assertKey(key);
      try {
        return await readFile(join(dir, key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      assertKey(key);
      await rm(join(dir, key), { force: true });
    },
  };
}
