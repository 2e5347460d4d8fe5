import { leaseTtlMs } from '../leases/lease_keeper.ts';
import type { LeaseStore } from '../leases/lease_store.ts';
import type { NodeEvents, World } from './world.ts';
import { leaseCommandTimeoutMs } from '../constants.ts';

/**
 * Redis as the lease keeper sees it, on the virtual clock. The `*Now` methods
 * are the scripts Redis runs (atomic at the instant a request arrives); the
 * async methods give the LeaseStore interface over them. Network faults are
 * applied by `call`: a request or reply may be lost or late, and a renewal
 * that arrives after the lease lapsed fails, as the compare-and-extend script does.
 */
export class SimLeaseStore implements LeaseStore {
  private readonly leases = new Map<number, { owner: string; expiresAt: number }>();
  /** When Redis last lost every lease: until a lease lifetime later, two nodes may both believe they own a shard. */
  flushedAt = -Infinity;

  constructor(readonly now: () => number) {}

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
    this.flushedAt = this.now();
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
 * A node's Redis client: the LeaseStore port that the engine's LeaseKeeper
 * uses, over the simulated network. As the real client (redis_lease_store.ts),
 * a command not answered within `leaseCommandTimeoutMs` fails, even if Redis
 * runs it later; answers arrive as node events.
 */
export class SimLeaseClient implements LeaseStore {
  constructor(
    private readonly store: SimLeaseStore,
    private readonly world: World,
    private readonly node: NodeEvents,
    private readonly line: LeaseLine,
  ) {}

  acquire(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    return this.call(ttlMs, () => this.store.acquireNow(shard, owner, ttlMs));
  }

  async renew(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    const ok = await this.call(ttlMs, () => this.store.renewNow(shard, owner, ttlMs)).catch((error: unknown) => {
      this.world.stats.leasesLost++;
      throw error;
    });
    if (!ok) this.world.stats.leasesLost++;
    return ok;
  }

  async release(shard: number, owner: string): Promise<void> {
    await this.call(leaseTtlMs, () => (this.store.releaseNow(shard, owner), true));
  }

  async holder(shard: number): Promise<string | null> {
    return this.store.holderNow(shard);
  }

  async close(): Promise<void> {}

  private call(ttlMs: number, script: () => boolean): Promise<boolean> {
    return new Promise((resolve, reject) => {
      leaseCall(this.world, this.line, ttlMs, script, this.node.bind(resolve), this.node.bind(() => reject(timedOut)));
    });
  }
}

/** One error for every timeout: the keeper only counts it as a failure. */
const timedOut = new Error('lease command timed out');

/**
 * A node's connection to Redis, as TCP makes it: messages each way arrive in
 * the order they were sent, so a late one holds back those behind it. Kept
 * across the node's restarts: a request sent before a crash still arrives
 * before one sent after it (a release of the previous life must not delete
 * the lease the new life won).
 */
export type LeaseLine = { toRedisAt: number; fromRedisAt: number };

/**
 * Sends one lease command over the simulated network: `script` runs when the
 * request arrives; `reply` when the answer gets back within the client's
 * timeout, else `timeout` once it passed. Both ways may lose or delay the
 * message, and both are drawn as the request leaves (the line is FIFO, so
 * that is when its arrival times are known): one event for the reply or the
 * timeout, never both.
 */
export function leaseCall(world: World, line: LeaseLine, ttlMs: number, script: () => boolean, reply: (ok: boolean) => void, timeout: () => void): void {
  const hop = (): number => {
    const f = world.faults;
    if (world.rng.chance(f.leaseLost) && world.inject('leaseLost')) return -1;
    return world.rng.chance(f.leaseLate) && world.inject('leaseLate') ? world.rng.int(ttlMs / 2, 2 * ttlMs) : world.hopMs();
  };
  const there = hop();
  if (there >= 0) {
    const back = hop();
    const arriveAt = (line.toRedisAt = Math.max(line.toRedisAt, world.now + there));
    const replyAt = back < 0 ? -1 : (line.fromRedisAt = Math.max(line.fromRedisAt, arriveAt + back));
    const answered = replyAt >= 0 && replyAt - world.now <= leaseCommandTimeoutMs;
    world.schedule(arriveAt - world.now, () => {
      const ok = script();
      if (answered) world.schedule(replyAt - world.now, () => reply(ok));
    });
    if (answered) return;
  }
  world.schedule(leaseCommandTimeoutMs, timeout);
}
