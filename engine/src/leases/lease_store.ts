/**
 * Who owns a shard. One node at a time holds a shard's lease; it renews it
 * well before the TTL lapses and gives it back when it drains. The Redis
 * implementation (many nodes) and the in-process one (one node, no Redis)
 * keep the same contract, checked by one suite (lease_store.contract.ts).
 *
 * A lease alone is not safe against a paused owner: fencing epochs in
 * Postgres (epochs.ts) make a late writer's flushes fail.
 */
export interface LeaseStore {
  /** Takes the lease if nobody else holds it (or theirs lapsed); true for its current holder too. */
  acquire(shard: number, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease only if `owner` still holds it. */
  renew(shard: number, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease back only if `owner` still holds it. */
  release(shard: number, owner: string): Promise<void>;
  holder(shard: number): Promise<string | null>;
  close(): Promise<void>;
}

/** One node and no Redis: the node's own memory decides, with the same rules. */
export class InProcessLeaseStore implements LeaseStore {
  private readonly leases = new Map<number, { owner: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(shard);
    if (lease && lease.expiresAt > this.now() && lease.owner !== owner) return false;
    this.leases.set(shard, { owner, expiresAt: this.now() + ttlMs });
    return true;
  }

  async renew(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(shard);
    if (!lease || lease.owner !== owner || lease.expiresAt <= this.now()) return false;
    lease.expiresAt = this.now() + ttlMs;
    return true;
  }

  async release(shard: number, owner: string): Promise<void> {
    if (this.leases.get(shard)?.owner === owner) this.leases.delete(shard);
  }

  async holder(shard: number): Promise<string | null> {
    const lease = this.leases.get(shard);
    return lease && lease.expiresAt > this.now() ? lease.owner : null;
  }

  async close(): Promise<void> {}
}
