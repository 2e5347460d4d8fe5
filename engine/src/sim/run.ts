import { InvariantError } from '../assert.ts';
import { flushesInFlightDefault } from '../constants.ts';
import type { EventConfig } from '../inventory/types.ts';
import { Checker, SimulationFailure } from './checks.ts';
import { SimClient } from './clients.ts';
import { SimDatabase } from './sim_database.ts';
import { SimLeaseStore } from './sim_lease_store.ts';
import { SimNode, type Env } from './sim_node.ts';
import { correct, defaultFaults, World, type Faults, type Stats, type Variant } from './world.ts';

export type SimulateOptions = {
  seed: number;
  /** Events to run (messages, timers, faults); the invariants are checked after each. */
  steps: number;
  nodes?: number;
  shards?: number;
  buyers?: number;
  /** Flushes each node keeps in flight (default: the engine's, constants.ts). */
  flushesInFlight?: number;
  faults?: Partial<Faults>;
  /** A deliberately broken protocol, to prove the checker catches it. */
  variant?: Partial<Variant>;
  /** Leave out the checker's direct epoch rule (see Checker), to test the other checks alone. */
  epochRule?: boolean;
  /** Receives a line per notable happening (ownership, faults, fenced flushes). */
  log?: (line: string) => void;
};

export type Summary = Stats & { seed: number; steps: number; virtualMs: number; journalEntries: number };

const faultTickMs = 250;

/** Lets every promise continuation that the last event set off run, before the next event. */
const settle = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/**
 * One seeded run of the engine's protocol with the engine's own classes
 * (InventoryActor, GroupCommit, LeaseKeeper): a few nodes compete for a few
 * shards through a simulated Redis, write through a simulated Postgres, and
 * serve random buyers, while faults strike. The classes run on the virtual
 * clock through their ports; a promise settles as a node event, and its
 * continuations run before the next event, at the same virtual instant.
 * Rejects with SimulationFailure (with seed and step) on the first broken
 * invariant; otherwise resolves with a summary that depends on the seed alone.
 */
export async function simulate(options: SimulateOptions): Promise<Summary> {
  const nodeCount = options.nodes ?? 3;
  const shards = options.shards ?? 4;
  const faults: Faults = { ...defaultFaults, ...options.faults };
  const world = new World(options.seed, faults, { ...correct, ...options.variant }, options.log ?? null);
  const db = new SimDatabase(shards, world);
  const leases = new SimLeaseStore(() => world.now);
  const events = makeEvents(world, shards);
  const checker = new Checker(options.seed, db, events, options.epochRule ?? true);
  const shardOfEvent = new Map(events.map((e) => [e.eventId, e.shard] as const));
  const eventsOfShard: EventConfig[][] = Array.from({ length: shards }, () => []);
  for (const event of events) eventsOfShard[event.shard]!.push(event);
  let ids = 0;
  const env: Env = {
    world,
    db,
    leases,
    eventsOfShard,
    acknowledge: (eventId, outcome) => {
      world.stats.acknowledged++;
      checker.acknowledge(eventId, outcome, world.now);
    },
    newId: (prefix) => `${prefix}${++ids}`,
    lastServer: new Array<string | null>(shards).fill(null),
    flushesInFlight: options.flushesInFlight ?? flushesInFlightDefault,
    shardOfEvent,
  };
  const nodes = Array.from({ length: nodeCount }, (_, i) => new SimNode(`n${i + 1}`, env));
  for (const node of nodes) node.start();
  for (let i = 0; i < (options.buyers ?? 5); i++) new SimClient(`b${i + 1}`, world, nodes, leases, events).start();
  world.schedule(faultTickMs, function faultTick() {
    strike(world, nodes, leases, db);
    world.schedule(faultTickMs, faultTick);
  });

  let step = 0;
  try {
    // Once per seed, let the event loop turn: a caller's timers and messages (a test runner's) wait for nothing longer.
    await new Promise((resolve) => setImmediate(resolve));
    while (step < options.steps) {
      checker.step = ++step;
      if (!world.step()) break;
      if (world.touched) {
        world.touched = false;
        await settle();
        if (world.failure !== null) throw world.failure;
        checker.checkLeases(nodes, leases, shards);
      }
      checker.check();
    }
    checker.final();
  } catch (error) {
    if (error instanceof SimulationFailure) throw error;
    // An actor's own assertion (a journal gap on restore, a broken invariant) is a failure too.
    if (error instanceof InvariantError) throw new SimulationFailure(options.seed, step, `actor invariant: ${error.message}`);
    throw error;
  }
  const journalEntries = db.commits.reduce((n, c) => n + c.rows.length, 0);
  world.stats.commits = db.commits.length;
  world.stats.committedEntries = journalEntries;
  return { seed: options.seed, steps: step, virtualMs: world.now, journalEntries, ...world.stats };
}

/** A few small events, so sell-outs, per-buyer limits and expiries all happen. */
function makeEvents(world: World, shards: number): EventConfig[] {
  const events: EventConfig[] = [];
  const count = shards + world.rng.int(0, shards);
  for (let i = 0; i < count; i++) {
    const types = Array.from({ length: world.rng.int(1, 2) }, (_, t) => ({ typeId: `t${t + 1}`, price: 1_000 * (t + 1), capacity: world.rng.int(2, 12) }));
    events.push({
      eventId: `e${i + 1}`,
      shard: i % shards,
      currency: 'TND',
      perBuyerLimit: world.rng.int(2, 6),
      holdTtlMs: world.rng.int(2_000, 8_000),
      saleStartsAt: null,
      saleEndsAt: null,
      types,
    });
  }
  return events;
}

/** The fault tick: each kind of fault strikes with its own chance. */
function strike(world: World, nodes: SimNode[], leases: SimLeaseStore, db: SimDatabase): void {
  const { rng, faults } = world;
  if (rng.chance(faults.redisFlush) && world.inject('redisFlush')) {
    world.say('redis flushed: every lease is gone');
    leases.flushAll();
  }
  if (rng.chance(faults.dbRestart) && world.inject('dbRestart')) {
    const downMs = rng.int(50, 2_000);
    world.say(`database restarts, down for ${downMs}ms`);
    db.restart(downMs);
  }
  if (rng.chance(faults.pause) && world.inject('pause')) rng.pick(nodes).pause(rng.chance(0.5) ? rng.int(100, 2_000) : rng.int(2_000, 15_000));
  if (rng.chance(faults.crash) && world.inject('crash')) rng.pick(nodes).crash(rng.int(300, 5_000));
  if (rng.chance(faults.clockJump) && world.now >= world.quietUntil && world.inject('clockJump')) {
    const jumpMs = rng.int(3_000, 20_000);
    world.say(`clock jumps ${jumpMs}ms: clients go quiet`);
    world.quietUntil = world.now + jumpMs;
  }
}
