import type { LeaseStore } from '../leases/lease_store.ts';
import type { World } from './world.ts';

/**
 * Redis as the lease keeper sees it, on the virtual clock. The `*Now` methods
 * are the scripts Redis runs (atomic at the instant a request arrives); the
 * async methods give the LeaseStore interface over them. Network faults are
 * applied by `call`: a request or reply may be lost or late, and a renewal
 * that arrives after the lease lapsed fails, as the compare-and-extend script does.
 */
export class SimLeaseStore implements LeaseStore {
  private readonly leases = new Map<number, { owner: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  /** SET NX PX: free, lapsed, or already ours. */
  acquireNow(shard: number, owner: string, ttlMs: number): boolean {
    const lease = this.leases.get(shard);
    if (lease !== undefined && lease.expiresAt > this.now() && lease.owner !== owner) return false;
    this.leases.set(shard, { owner, expiresAt: this.now() + ttlMs });
    return true;
  }

  /** Compare-and-extend: only a live lease of ours. */
  renewNow(shard: number, owner: string, ttlMs: number): boolean {
    const lease = this.leases.get(shard);
    if (lease === undefined || lease.owner !== owner || lease.expiresAt <= this.now()) return false;
    lease.expiresAt = this.now() + ttlMs;
    return true;
  }

  /** Compare-and-delete. */
  releaseNow(shard: number, owner: string): void {
    if (this.leases.get(shard)?.owner === owner) this.leases.delete(shard);
  }

  holderNow(shard: number): string | null {
    const lease = this.leases.get(shard);
    return lease !== undefined && lease.expiresAt > this.now() ? lease.owner : null;
  }

  /** FLUSHALL, or a failover to a replica that had not seen the keys. */
  flushAll(): void {
    this.leases.clear();
  }

  async acquire(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    return this.acquireNow(shard, owner, ttlMs);
  }

  async renew(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    return this.renewNow(shard, owner, ttlMs);
  }

  async release(shard: number, owner: string): Promise<void> {
    this.releaseNow(shard, owner);
  }

  async holder(shard: number): Promise<string | null> {
    return this.holderNow(shard);
  }

  async close(): Promise<void> {}
}

/**
 * Sends one lease command over the simulated network: `script` runs when the
 * request arrives, `reply` (a node event) when the answer gets back. Lost
 * messages never answer; the keeper's own clock decides what that means.
 */
export function leaseCall(world: World, ttlMs: number, script: () => boolean, reply: (ok: boolean) => void): void {
  const hop = (): number => {
    const f = world.faults;
    if (world.rng.chance(f.leaseLost)) return -1;
    return world.rng.chance(f.leaseLate) ? world.rng.int(ttlMs / 2, 2 * ttlMs) : world.hopMs();
  };
  const there = hop();
  if (there < 0) return;
  world.schedule(there, () => {
    const ok = script();
    const back = hop();
    if (back >= 0) world.schedule(back, () => reply(ok));
  });
}
