import type { Clock } from '../clock.ts';
import type { Command, Outcome } from '../inventory/types.ts';
import { leaseRenewMs, LeaseKeeper, sendIfServed } from '../leases/lease_keeper.ts';
import { SimDbClient } from './sim_database.ts';
import { SimLeaseClient, type LeaseLine, type SimLeaseStore } from './sim_lease_store.ts';
import { SimWorker, type WorkerEnv } from './sim_worker.ts';
import type { NodeEvents } from './world.ts';
import { shardUnavailable } from '../engine.ts';

/** How a node answers a client: an outcome, or null when the request died with the node. */
export type Reply = (outcome: Outcome | null) => void;

/** What every node shares: the workers' world, the lease store, and which shard each event is on. */
export type Env = WorkerEnv & { leases: SimLeaseStore; shardOfEvent: Map<string, number> };

/** Chance per keeper tick that placement moves this node's shards (membership changed), so shards drain and move. */
const replaceChance = 0.03;

/**
 * One engine node: the engine's own LeaseKeeper, with the simulated Redis as
 * its lease store, the simulated database as its epoch store and the node's
 * events as its clock; and one shard worker (SimWorker), which runs the
 * engine's InventoryActor and GroupCommit. This class is what pool.ts and
 * node_engine.ts are to them: it routes commands through `sendIfServed`,
 * tells the keeper of a fenced flush (`lost`) and of a worker restart
 * (`reserve`), and starts the process again after a crash.
 *
 * Everything the node does runs as a node event: a crashed node's events are
 * dropped (its incarnation moved on), a paused node's wait until it resumes
 * and then run with whatever it believed before the pause; so a resumed node
 * serves stale shards until its keeper's next tick, and its late flushes
 * reach the database: fencing must stop them.
 */
export class SimNode implements NodeEvents {
  private incarnation = 0;
  private alive = true;
  private pausedUntil = 0;
  private keeper: LeaseKeeper | null = null;
  private worker: SimWorker | null = null;
  /** The shards given to the worker and not taken back (pool.ts keeps them across a worker restart). */
  private readonly slotShards = new Set<number>();
  private wanted = new Set<number>();
  private readonly leaseLine: LeaseLine = { toRedisAt: 0, fromRedisAt: 0 };
  readonly clock: Clock;

  constructor(readonly id: string, private readonly env: Env) {
    const world = env.world;
    this.clock = {
      now: () => world.now,
      after: (ms, fn) => this.later(ms, fn),
      afterUnref: (ms, fn) => this.later(ms, fn),
      every: (ms, fn) => {
        let on = true;
        const again = (): void => {
          if (!on) return;
          fn();
          this.later(ms, again);
        };
        this.later(ms, again);
        return () => {
          on = false;
        };
      },
    };
  }

  /** The process starts: a worker, and a keeper that begins ticking a little later (nodes do not tick in step). */
  start(): void {
    const { world, leases, eventsOfShard } = this.env;
    this.placeShards();
    this.worker = this.newWorker();
    const keeper = new LeaseKeeper({
      leases: new SimLeaseClient(leases, world, this, this.leaseLine),
      epochs: new SimDbClient(this.env.db, world, this, this.id),
      workers: {
        own: (shard, epoch) => this.own(shard, epoch),
        disown: (shard) => this.disown(shard),
      },
      nodeId: this.id,
      shards: eventsOfShard.length,
      log: (level, msg) => world.say(`${this.id} ${level}: ${msg}`),
      want: async () => {
        if (world.rng.chance(replaceChance)) this.placeShards();
        return this.wanted;
      },
      clock: this.clock,
      plantedBug: world.variant.leaseKeeperBug ?? undefined,
    });
    this.keeper = keeper;
    this.later(world.rng.int(0, leaseRenewMs), () => void keeper.start(false));
  }

  /** Whether this node's keeper would let it answer for `shard` now. */
  serves(shard: number): boolean {
    return this.alive && this.keeper !== null && this.keeper.serves(shard);
  }

  /** A command arriving from a client. */
  receive(cmd: Command, reply: Reply): void {
    this.bind(() => {
      const world = this.env.world;
      const keeper = this.keeper!;
      const shard = this.env.shardOfEvent.get(cmd.eventId)!;
      if (!keeper.serves(shard)) world.stats.refusals++;
      const workers = { send: (c: Command, s: number) => this.worker?.send(c, s) ?? Promise.resolve(shardUnavailable) };
      void sendIfServed(keeper, workers, cmd, shard).then((outcome) => world.schedule(world.hopMs(), () => reply(outcome)));
    })();
  }

  pause(ms: number): void {
    if (!this.alive) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.env.world.now + ms);
    this.env.world.say(`${this.id} paused for ${ms}ms`);
  }

  crash(restartAfterMs: number): void {
    if (!this.alive) return;
    const world = this.env.world;
    world.say(`${this.id} crashed; restarts in ${restartAfterMs}ms`);
    this.alive = false;
    this.incarnation++;
    this.pausedUntil = 0;
    this.keeper = null;
    this.worker?.kill();
    this.worker = null;
    this.slotShards.clear();
    world.schedule(restartAfterMs, () => {
      this.alive = true;
      world.say(`${this.id} restarted`);
      this.start();
    });
  }

  // ---- node events -------------------------------------------------------

  later(delayMs: number, fn: () => void): void {
    const incarnation = this.incarnation;
    this.env.world.schedule(delayMs, () => this.run(incarnation, fn));
  }

  /** Wraps a handler so it runs as an event of this incarnation. */
  bind<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    const incarnation = this.incarnation;
    return (...args: A) => this.run(incarnation, () => fn(...args));
  }

  private run(incarnation: number, fn: () => void): void {
    const world = this.env.world;
    if (!this.alive || incarnation !== this.incarnation) return;
    if (world.now < this.pausedUntil) {
      world.schedule(this.pausedUntil - world.now, () => this.run(incarnation, fn));
      return;
    }
    world.touched = true;
    fn();
  }

  // ---- the pool's side of the worker (pool.ts) ----------------------------

  private newWorker(): SimWorker {
    return new SimWorker(this.env, this.id, this, this.clock, (fenced) => this.workerDied(fenced));
  }

  private own(shard: number, epoch: number): Promise<void> {
    const worker = this.worker;
    if (worker === null || worker.dead) return Promise.reject(new Error('shard worker is down'));
    this.slotShards.add(shard);
    return worker.own(shard, epoch);
  }

  private disown(shard: number): Promise<void> {
    this.slotShards.delete(shard);
    const worker = this.worker;
    // A dead worker holds nothing to flush: what it had was never acknowledged.
    if (worker === null || worker.dead) return Promise.resolve();
    return worker.disown(shard);
  }

  /** As node_engine.ts wires it: a fenced flush means another node won (`lost`); the restarted worker gets its shards back at new epochs (`reserve`). */
  private workerDied(fencedShards: number[]): void {
    const keeper = this.keeper!;
    if (fencedShards.length > 0) keeper.lost(fencedShards);
    this.worker = null;
    this.later(this.env.world.rng.int(20, 200), () => {
      this.worker = this.newWorker();
      void keeper.reserve([...this.slotShards]);
    });
  }

  /** Placement for this node: most shards, now and then a different few. */
  private placeShards(): void {
    const rng = this.env.world.rng;
    this.wanted = new Set(this.env.eventsOfShard.map((_, shard) => shard).filter(() => rng.chance(0.75)));
  }
}
