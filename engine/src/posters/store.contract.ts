import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { posterKey, type PosterStore } from './store.ts';

/** The poster store's contract, run against every store (store.test.ts). */
export function posterStoreContract(name: string, open: () => PosterStore): void {
  const fresh = (format: 'webp' | 'jpeg' = 'webp') => {
    const bytes = randomBytes(2048 + Math.floor(Math.random() * 4096));
    return { bytes, key: posterKey(createHash('sha256').update(bytes).digest('hex'), format) };
  };

  describe(`poster store contract: ${name}`, () => {
    it('gives back exactly the bytes put under a key', async () => {
      const store = open();
      const a = fresh('webp');
      const b = fresh('jpeg');
      await store.put(a.key, a.bytes);
      await store.put(b.key, b.bytes);
      expect((await store.get(a.key))?.equals(a.bytes)).toBe(true);
      expect((await store.get(b.key))?.equals(b.bytes)).toBe(true);
    });

    it('answers null for a key never put', async () => {
      expect(await open().get(fresh().key)).toBeNull();
    });

    it('keeps a key put twice once, with its bytes', async () => {
      const store = open();
      const a = fresh();
      await store.put(a.key, a.bytes);
      await store.put(a.key, a.bytes);
      expect((await store.get(a.key))?.equals(a.bytes)).toBe(true);
    });

    it('forgets a deleted key, and deletes only that key', async () => {
      const store = open();
      const a = fresh();
      const b = fresh();
      await store.put(a.key, a.bytes);
      await store.put(b.key, b.bytes);
      await store.delete(a.key);
      expect(await store.get(a.key)).toBeNull();
      expect((await store.get(b.key))?.equals(b.bytes)).toBe(true);
    });

    it('deletes a key that is not there without an error', async () => {
      await expect(open().delete(fresh().key)).resolves.toBeUndefined();
    });

    it('refuses a key that is not a content hash (no path can be smuggled in)', async () => {
      const store = open();
      for (const key of ['../secrets.webp', `${'a'.repeat(64)}.png`, `${'A'.repeat(64)}.webp`, `x/${'a'.repeat(64)}.webp`]) {
        await expect(store.put(key, Buffer.from('x')), key).rejects.toThrow(/not a poster key/);
        await expect(store.get(key), key).rejects.toThrow(/not a poster key/);
      }
    });
  });
}
