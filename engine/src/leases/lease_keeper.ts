import { assert } from '../assert.ts';
import type { Db } from '../db/pool.ts';
import { raiseEpochs } from '../journal/epochs.ts';
import type { Log, ShardWorkers } from '../worker/pool.ts';
import type { LeaseStore } from './lease_store.ts';

/** Renew three times per lease, so one lost renewal never loses the shard. */
export const leaseTtlMs = 5_000;
export const leaseRenewMs = 1_500;
assert(leaseRenewMs * 3 <= leaseTtlMs);

type Held = { epoch: number | null; serving: boolean };

/**
 * Takes the shards this node should own, and keeps them: lease first, then a
 * raised epoch in Postgres, then the worker loads the shard and serves it.
 * Every tick renews what it holds and tries again for what it should hold but
 * does not. A shard whose lease cannot be renewed is no longer served; a shard
 * whose worker was fenced (another owner raised the epoch) is given up, never
 * taken back by force.
 */
export class LeaseKeeper {
  private readonly held = new Map<number, Held>();
  private readonly wanted = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(
    private readonly opts: {
      leases: LeaseStore;
      db: Db;
      workers: Pick<ShardWorkers, 'own' | 'disown'>;
      nodeId: string;
      shards: number;
      log: Log;
      /** Tests shorten these; the defaults above hold everywhere else. */
      ttlMs?: number;
      renewMs?: number;
    },
  ) {}

  private get ttlMs(): number {
    return this.opts.ttlMs ?? leaseTtlMs;
  }

  get ownedCount(): number {
    let n = 0;
    for (const h of this.held.values()) if (h.serving) n++;
    return n;
  }

  /** One node without Redis: every shard is ours. Resolves once all are served. */
  async takeAll(): Promise<void> {
    for (let s = 0; s < this.opts.shards; s++) this.wanted.add(s);
    // Renewals run from the moment leases exist, and never wait for serving:
    // loading a shard can take longer than a lease lives.
    this.timer = setInterval(() => void this.tick(), this.opts.renewMs ?? leaseRenewMs);
    this.timer.unref();
    await this.tick();
    while (this.ownedCount < this.wanted.size) {
      await this.serving;
      if (this.ownedCount < this.wanted.size) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The shards being loaded now; ticks go on meanwhile. */
  private serving: Promise<void> = Promise.resolve();

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.renewHeld();
      await this.acquireMissing();
    } catch (error) {
      this.opts.log('error', `lease tick failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private async renewHeld(): Promise<void> {
    for (const [shard, h] of this.held) {
      const ok = await this.opts.leases.renew(shard, this.opts.nodeId, this.ttlMs).catch(() => false);
      if (ok) continue;
      this.opts.log('warn', `lease of shard ${shard} could not be renewed; no longer serving it`);
      this.held.delete(shard);
      if (h.serving) await this.opts.workers.disown(shard);
    }
  }

  private async acquireMissing(): Promise<void> {
    const won: number[] = [];
    for (const shard of this.wanted) {
      if (this.held.has(shard)) continue;
      if (await this.opts.leases.acquire(shard, this.opts.nodeId, this.ttlMs).catch(() => false)) {
        this.held.set(shard, { epoch: null, serving: false });
        won.push(shard);
      }
    }
    if (won.length === 0) return;
    const previous = this.serving;
    this.serving = previous.then(() => this.serve(won)).catch((error: unknown) => {
      this.opts.log('error', `could not serve shards ${won.join(',')}: ${(error as Error).message}; will retry`);
      for (const shard of won) if (!this.held.get(shard)?.serving) this.held.delete(shard);
    });
  }

  /** Raises the epochs of `shards` and hands them to their workers (after winning them, or after a worker restart). */
  private async serve(shards: number[]): Promise<void> {
    if (shards.length === 0) return;
    const epochs = await raiseEpochs(this.opts.db, shards, this.opts.nodeId);
    await Promise.all(
      [...epochs].map(async ([shard, epoch]) => {
        const h = this.held.get(shard);
        if (!h) return; // lost while the epoch was raised
        h.epoch = epoch;
        await this.opts.workers.own(shard, epoch);
        h.serving = true;
      }),
    );
  }

  /** After a worker restart: its shards come back at a new epoch, unless we lost them meanwhile. */
  reserve(shards: number[]): Promise<void> {
    // One at a time, behind any serving under way: two restarts in a row must
    // not hand the same shard to a worker twice at once.
    this.serving = this.serving.then(async () => {
      const still = shards.filter((s) => this.held.has(s));
      for (const s of still) this.held.get(s)!.serving = false;
      try {
        await this.serve(still);
      } catch (error) {
        this.opts.log('error', `could not take back shards ${still.join(',')} after a worker restart: ${(error as Error).message}; retrying`);
        setTimeout(() => void this.reserve(still), 1_000).unref();
      }
    });
    return this.serving;
  }

  /** A flush found another owner's epoch: that owner won; we step down from those shards. */
  lost(shards: number[]): void {
    for (const shard of shards) {
      this.held.delete(shard);
      this.wanted.delete(shard);
      void this.opts.leases.release(shard, this.opts.nodeId);
    }
    this.opts.log('warn', `stepped down from shard(s) ${shards.join(',')}: another node raised their epoch`);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.wanted.clear();
    for (const shard of this.held.keys()) await this.opts.leases.release(shard, this.opts.nodeId);
    this.held.clear();
  }
}
