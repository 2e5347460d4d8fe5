import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { LeaseKeeper } from './lease_keeper.ts';
import { InProcessLeaseStore } from './lease_store.ts';

describe('LeaseKeeper', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await freshDatabase(); });
  afterAll(async () => { await t.drop(); });

  it('keeps its leases while loading shards takes longer than a lease lives', async () => {
    const warnings: string[] = [];
    const served: number[] = [];
    const leases = new InProcessLeaseStore();
    const workers = {
      own: async (shard: number) => {
        await new Promise((resolve) => setTimeout(resolve, 300)); // a slow shard load
        served.push(shard);
      },
      disown: async () => {},
    };
    const keeper = new LeaseKeeper({
      leases, db: t.db, workers, nodeId: 'slow-node', shards: 4, ttlMs: 120, renewMs: 30,
      log: (level, msg) => { if (level !== 'info') warnings.push(msg); },
    });
    await keeper.start(true);
    await new Promise((resolve) => setTimeout(resolve, 300)); // several lease lifetimes of serving
    expect(warnings).toEqual([]);
    expect(served.sort()).toEqual([0, 1, 2, 3]);
    expect(keeper.ownedCount).toBe(4);
    for (let s = 0; s < 4; s++) expect(await leases.holder(s)).toBe('slow-node');
    await keeper.stop();
    expect(await leases.holder(0)).toBeNull();
  });

  it('stops serving a shard whose lease it cannot renew, and takes it back when it can', async () => {
    const disowned: number[] = [];
    const owned: number[] = [];
    const leases = new InProcessLeaseStore();
    const workers = { own: async (s: number) => { owned.push(s); }, disown: async (s: number) => { disowned.push(s); } };
    const keeper = new LeaseKeeper({ leases, db: t.db, workers, nodeId: 'a', shards: 2, ttlMs: 100, renewMs: 25, log: () => {} });
    await keeper.start(true);
    // Another node steals shard 1 (as after a lapse): our renewal must fail and we must stop serving it.
    await leases.release(1, 'a');
    await leases.acquire(1, 'b', 150);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(disowned).toContain(1);
    expect(keeper.ownedCount).toBe(1);
    // Once b's lease lapses, the keeper takes shard 1 back at a new epoch.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(owned.filter((s) => s === 1).length).toBe(2);
    expect(keeper.ownedCount).toBe(2);
    await keeper.stop();
  });
});
