import { assert } from '../assert.ts';
import { systemClock, type Clock } from '../clock.ts';
import { leaseSafetyMarginMs, leaseTtlMsDefault } from '../constants.ts';
import type { Db } from '../db/pool.ts';
import { raiseEpochs } from '../journal/epochs.ts';
import type { Command, Outcome } from '../inventory/types.ts';
import type { Log, ShardWorkers } from '../worker/pool.ts';
import type { LeaseStore } from './lease_store.ts';
import { shardUnavailable } from '../engine.ts';

/** Renew three times per lease, so one lost renewal never loses the shard. */
export const leaseTtlMs = leaseTtlMsDefault;
export function renewEveryMs(ttlMs: number): number {
  return Math.floor(ttlMs / 3.3);
}
export const leaseRenewMs = renewEveryMs(leaseTtlMs);
assert(leaseRenewMs * 3 <= leaseTtlMs);

type Held = { epoch: number | null; serving: boolean; validUntil: number };

/**
 * Where epochs are raised: Postgres in the engine (`databaseEpochs`), the
 * simulated database in engine/src/sim. Resolves with the new epoch of each shard.
 */
export interface EpochStore {
  raise(shards: number[], owner: string): Promise<Map<number, number>>;
}

export function databaseEpochs(db: Db): EpochStore {
  return { raise: (shards, owner) => raiseEpochs(db, shards, owner) };
}

/**
 * A deliberate bug, for the simulation to prove it catches it (engine/src/sim):
 * `renewWithoutCheck` counts a renewal the lease store refused as done. No
 * configuration sets it; the constructor refuses it in production.
 */
export type LeaseKeeperBug = 'renewWithoutCheck';

export type KeeperOptions = {
  leases: LeaseStore;
  /** The engine's database, for `databaseEpochs`; or `epochs` instead. */
  db?: Db;
  epochs?: EpochStore;
  workers: Pick<ShardWorkers, 'own' | 'disown'>;
  nodeId: string;
  shards: number;
  log: Log;
  /** The shards this node should own now: all of them alone, its placement in a cluster. */
  want?: () => Promise<Set<number>>;
  /** Tests shorten these; the defaults above hold everywhere else. */
  ttlMs?: number;
  renewMs?: number;
  /** The system's timers unless simulated. */
  clock?: Clock;
  plantedBug?: LeaseKeeperBug;
};

/**
 * Takes the shards this node should own, and keeps them: lease first, then a
 * raised epoch in Postgres, then the worker loads the shard and serves it.
 * Every tick renews what it holds, drains what it should no longer own
 * (flush, then release) and tries again for what it should own but does not.
 *
 * A shard is served only while its lease is surely valid: a renewal that
 * fails, or does not come back in time, stops the shard before the lease can
 * lapse and another node take it. Safety does not rest on this (fencing does),
 * but it keeps a stale owner from answering at all.
 */
export class LeaseKeeper {
  private readonly held = new Map<number, Held>();
  /** Shards whose worker was fenced: another node won them; leave them alone for a while. */
  private readonly backoff = new Map<number, number>();
  private stopTicks: (() => void) | null = null;
  private ticking = false;
  private stopped = false;
  /** The shards being loaded (or retaken) now; ticks go on meanwhile. */
  private serving: Promise<void> = Promise.resolve();
  private readonly ttlMs: number;
  /** The part of a lease we never count on: drift allowance, a fifth of short test leases. */
  private readonly marginMs: number;
  private readonly clock: Clock;
  private readonly epochs: EpochStore;

  constructor(private readonly opts: KeeperOptions) {
    assert((opts.db === undefined) !== (opts.epochs === undefined), 'a lease keeper needs a database or an epoch store, not both');
    assert(opts.plantedBug === undefined || process.env.NODE_ENV !== 'production', 'a planted bug in production');
    this.ttlMs = opts.ttlMs ?? leaseTtlMs;
    this.marginMs = Math.min(leaseSafetyMarginMs, this.ttlMs / 5);
    this.clock = opts.clock ?? systemClock;
    this.epochs = opts.epochs ?? databaseEpochs(opts.db!);
  }

  private now(): number {
    return this.clock.now();
  }

  get ownedCount(): number {
    let n = 0;
    for (const shard of this.held.keys()) if (this.serves(shard)) n++;
    return n;
  }

  /** Whether this node may answer for `shard` right now. */
  serves(shard: number): boolean {
    const h = this.held.get(shard);
    return h !== undefined && h.serving && this.now() < h.validUntil;
  }

  /** Whether this node holds the lease of `shard` (serving or still loading it). */
  holds(shard: number): boolean {
    return this.held.has(shard);
  }

  /** Starts the ticks. With `waitForAll`, resolves once every wanted shard is served (one node). */
  async start(waitForAll: boolean): Promise<void> {
    this.stopTicks = this.clock.every(this.opts.renewMs ?? renewEveryMs(this.ttlMs), () => void this.tick());
    await this.tick();
    if (!waitForAll) return;
    const wanted = await this.wanted();
    while (!this.stopped && [...wanted].some((s) => !this.serves(s))) {
      await this.serving;
      await new Promise<void>((resolve) => this.clock.after(50, resolve));
    }
  }

  private async wanted(): Promise<Set<number>> {
    if (this.opts.want) return this.opts.want();
    return new Set(Array.from({ length: this.opts.shards }, (_, s) => s));
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.renewHeld();
      const wanted = await this.wanted();
      await this.drainUnwanted(wanted);
      await this.acquireMissing(wanted);
    } catch (error) {
      this.opts.log('error', `lease tick failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private async renewHeld(): Promise<void> {
    await Promise.all(
      [...this.held].map(async ([shard, h]) => {
        const askedAt = this.now();
        const ok = await this.opts.leases.renew(shard, this.opts.nodeId, this.ttlMs).catch(() => false);
        if (ok || this.opts.plantedBug === 'renewWithoutCheck') {
          h.validUntil = askedAt + this.ttlMs - this.marginMs;
          return;
        }
        this.opts.log('warn', `lease of shard ${shard} could not be renewed; no longer serving it`);
        await this.stopServing(shard, false);
      }),
    );
  }

  /** Shards placement gave to another node: flush what they hold, then hand the lease over. */
  private async drainUnwanted(wanted: Set<number>): Promise<void> {
    const leaving = [...this.held.keys()].filter((s) => !wanted.has(s) && this.held.get(s)!.serving);
    if (leaving.length === 0) return;
    this.opts.log('info', `draining shard(s) ${leaving.join(',')}: they belong to another node now`);
    await Promise.all(leaving.map((s) => this.stopServing(s, true)));
  }

  private async stopServing(shard: number, release: boolean): Promise<void> {
    const h = this.held.get(shard);
    if (!h) return;
    this.held.delete(shard);
    if (h.serving) await this.opts.workers.disown(shard);
    if (release) await this.opts.leases.release(shard, this.opts.nodeId).catch(() => {});
  }

  private async acquireMissing(wanted: Set<number>): Promise<void> {
    const won: number[] = [];
    const now = this.now();
    await Promise.all(
      [...wanted].map(async (shard) => {
        if (this.held.has(shard) || (this.backoff.get(shard) ?? 0) > now) return;
        const askedAt = this.now();
        if (await this.opts.leases.acquire(shard, this.opts.nodeId, this.ttlMs).catch(() => false)) {
          this.held.set(shard, { epoch: null, serving: false, validUntil: askedAt + this.ttlMs - this.marginMs });
          won.push(shard);
        }
      }),
    );
    if (won.length === 0) return;
    this.serving = this.serving
      .then(() => this.serve(won))
      .catch((error: unknown) => {
        this.opts.log('error', `could not serve shard(s) ${won.join(',')}: ${(error as Error).message}; retrying`);
        this.clock.afterUnref(1_000, () => void this.retake());
      });
  }

  /**
   * Raises the epochs of `shards` and hands them to their workers (after
   * winning them, or after a worker restart). Only shards not served yet: a
   * second epoch raise for a shard its worker already serves would fence that
   * worker's own pending writes. Runs on the `serving` chain, one at a time.
   */
  private async serve(shards: number[]): Promise<void> {
    const still = shards.filter((s) => this.held.has(s) && !this.held.get(s)!.serving);
    if (still.length === 0 || this.stopped) return;
    const epochs = await this.epochs.raise(still, this.opts.nodeId);
    await Promise.all(
      [...epochs].map(async ([shard, epoch]) => {
        const h = this.held.get(shard);
        if (!h) return; // lost while the epoch was raised
        h.epoch = epoch;
        await this.opts.workers.own(shard, epoch);
        // The lease may have gone while the shard loaded: then the worker must let it go too.
        if (this.held.get(shard) !== h) await this.opts.workers.disown(shard);
        else h.serving = true;
      }),
    );
  }

  /** After a worker restart: its shards are no longer served, and come back at a new epoch. */
  reserve(shards: number[]): Promise<void> {
    for (const s of shards) {
      const h = this.held.get(s);
      if (h) h.serving = false;
    }
    return this.retake();
  }

  /** Serves every held shard that is not served, behind whatever serving is under way; retries until it works. */
  private retake(): Promise<void> {
    this.serving = this.serving.then(async () => {
      const idle = [...this.held].filter(([, h]) => !h.serving).map(([s]) => s);
      try {
        await this.serve(idle);
      } catch (error) {
        this.opts.log('error', `could not take back shard(s) ${idle.join(',')}: ${(error as Error).message}; retrying`);
        this.clock.afterUnref(1_000, () => void this.retake());
      }
    });
    return this.serving;
  }

  /** A flush found another owner's epoch: that owner won; we step down and leave those shards alone a while. */
  lost(shards: number[]): void {
    const until = this.now() + 2 * this.ttlMs;
    for (const shard of shards) {
      this.held.delete(shard);
      this.backoff.set(shard, until);
      void this.opts.leases.release(shard, this.opts.nodeId).catch(() => {});
    }
    this.opts.log('warn', `stepped down from shard(s) ${shards.join(',')}: another node raised their epoch`);
  }

  /** Drains every shard (flush, release) and stops ticking. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTicks?.();
    await this.serving.catch(() => {});
    await Promise.all([...this.held.keys()].map((s) => this.stopServing(s, true)));
  }
}


/** `cmd` (for `shard`) to this node's workers while `keeper` serves the shard; `shard_unavailable` (503) otherwise. */
export function sendIfServed(keeper: LeaseKeeper, workers: Pick<ShardWorkers, 'send'>, cmd: Command, shard: number): Promise<Outcome> {
  return keeper.serves(shard) ? workers.send(cmd, shard) : Promise.resolve(shardUnavailable);
}
