import type { Db } from '../db/pool.ts';
import { raiseEpochs } from '../journal/epochs.ts';
import type { Log, ShardWorkers } from '../worker/pool.ts';
import type { LeaseStore } from './lease_store.ts';

/** Renew three times per lease, so one lost renewal never loses the shard. */
export const leaseTtlMs = 5_000;
export const leaseRenewMs = 1_500;

/**
 * Takes the shards this node should own, and keeps them: lease first, then
 * a raised epoch in Postgres, then the worker loads the shard and serves it.
 * A shard whose worker was fenced (another owner raised the epoch) is given
 * up, never taken back by force.
 */
export class LeaseKeeper {
  private readonly owned = new Map<number, number>();
  private renewTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly opts: { leases: LeaseStore; db: Db; workers: ShardWorkers; nodeId: string; shards: number; log: Log },
  ) {}

  get ownedCount(): number {
    return this.owned.size;
  }

  epochOf(shard: number): number | undefined {
    return this.owned.get(shard);
  }

  /** One node without Redis: every shard is ours. */
  async takeAll(): Promise<void> {
    const shards: number[] = [];
    for (let s = 0; s < this.opts.shards; s++) {
      if (await this.opts.leases.acquire(s, this.opts.nodeId, leaseTtlMs)) shards.push(s);
    }
    await this.serve(shards);
    this.renewTimer = setInterval(() => void this.renew(), leaseRenewMs);
    this.renewTimer.unref();
  }

  /** Raises the epochs of `shards` and hands them to their workers (at start, or after a worker restart). */
  async serve(shards: number[]): Promise<void> {
    if (shards.length === 0) return;
    const epochs = await raiseEpochs(this.opts.db, shards, this.opts.nodeId);
    for (const [shard, epoch] of epochs) this.owned.set(shard, epoch);
    await Promise.all([...epochs].map(([shard, epoch]) => this.opts.workers.own(shard, epoch)));
  }

  /** After a worker restart: its shards come back at a new epoch, unless we lost them meanwhile. */
  async reserve(shards: number[]): Promise<void> {
    const still = shards.filter((s) => this.owned.has(s));
    try {
      await this.serve(still);
    } catch (error) {
      this.opts.log('error', `could not take back shards ${still.join(',')} after a worker restart: ${(error as Error).message}; retrying`);
      setTimeout(() => void this.reserve(still), 1_000).unref();
    }
  }

  /** A flush found another owner's epoch: that owner won; we step down from those shards. */
  lost(shards: number[]): void {
    for (const shard of shards) {
      this.owned.delete(shard);
      void this.opts.leases.release(shard, this.opts.nodeId);
    }
    this.opts.log('warn', `stepped down from shard(s) ${shards.join(',')}: another node raised their epoch`);
  }

  private async renew(): Promise<void> {
    for (const shard of this.owned.keys()) {
      const ok = await this.opts.leases.renew(shard, this.opts.nodeId, leaseTtlMs).catch(() => false);
      if (!ok) {
        this.opts.log('warn', `lease of shard ${shard} could not be renewed; no longer serving it`);
        this.owned.delete(shard);
        await this.opts.workers.disown(shard);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    for (const shard of this.owned.keys()) await this.opts.leases.release(shard, this.opts.nodeId);
    this.owned.clear();
  }
}
