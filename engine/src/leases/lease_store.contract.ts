import { describe, expect, it } from 'vitest';
import type { LeaseStore } from './lease_store.ts';

/**
 * The contract every LeaseStore keeps. `advance(ms)` moves the store's clock
 * (a virtual clock in process; real sleeping for Redis).
 */
export function leaseStoreContract(name: string, make: () => Promise<{ store: LeaseStore; advance: (ms: number) => Promise<void> }>) {
  describe(`LeaseStore contract: ${name}`, () => {
    it('gives a free shard to the first node that asks, and to no second one', async () => {
      const { store } = await make();
      expect(await store.acquire(1, 'a', 1_000)).toBe(true);
      expect(await store.acquire(1, 'b', 1_000)).toBe(false);
      expect(await store.holder(1)).toBe('a');
      await store.close();
    });

    it('renews only for the holder', async () => {
      const { store } = await make();
      await store.acquire(2, 'a', 1_000);
      expect(await store.renew(2, 'b', 1_000)).toBe(false);
      expect(await store.renew(2, 'a', 1_000)).toBe(true);
      await store.close();
    });

    it('lets another node take a lease that lapsed, and refuses the late renewal', async () => {
      const { store, advance } = await make();
      await store.acquire(3, 'a', 200);
      await advance(400);
      expect(await store.holder(3)).toBeNull();
      expect(await store.acquire(3, 'b', 1_000)).toBe(true);
      expect(await store.renew(3, 'a', 1_000)).toBe(false);
      expect(await store.holder(3)).toBe('b');
      await store.close();
    });

    it('releases only for the holder', async () => {
      const { store } = await make();
      await store.acquire(4, 'a', 1_000);
      await store.release(4, 'b');
      expect(await store.holder(4)).toBe('a');
      await store.release(4, 'a');
      expect(await store.holder(4)).toBeNull();
      expect(await store.acquire(4, 'b', 1_000)).toBe(true);
      await store.close();
    });
  });
}
