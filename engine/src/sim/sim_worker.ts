import { InvariantError } from '../assert.ts';
import type { Clock } from '../clock.ts';
import { InventoryActor } from '../inventory/actor.ts';
import type { Command, EventConfig, JournalEntry, Outcome } from '../inventory/types.ts';
import { FencedError } from '../journal/flush.ts';
import { GroupCommit } from '../worker/group_commit.ts';
import type { Cut, SimDatabase } from './sim_database.ts';
import { SimDbClient } from './sim_database.ts';
import type { NodeEvents, World } from './world.ts';
import { shardUnavailable } from '../engine.ts';

/** What the workers of every node share: the world, the database, the events per shard, the checker's ear. */
export type WorkerEnv = {
  world: World;
  db: SimDatabase;
  eventsOfShard: EventConfig[][];
  /** Called the instant a worker releases an answer: from then on it must stay true. */
  acknowledge: (eventId: string, outcome: Outcome) => void;
  /** Hold and ticket ids, unique across nodes and restarts, from one counter. */
  newId: (prefix: string) => string;
  /** Who served each shard last, to count failovers. */
  lastServer: (string | null)[];
  /** Flushes a worker keeps in flight at once, as its flush connections (TICKR_FLUSHES_IN_FLIGHT). */
  flushesInFlight: number;
};

const expiryEveryMs = 500;
/** `drain` looks again this often: coarser than the engine's 1 ms, so a drain behind a slow flush costs few events. */
const drainPollMs = 10;

/**
 * One shard worker, as worker/shard_worker.ts but in the simulated world: it
 * hosts the actors of the shards it was given, runs commands on the engine's
 * InventoryActor and answers through the engine's GroupCommit, whose flushes
 * go to the simulated database. `own` recovers a shard (read the journal, cut
 * it at a gap, restore the actors), `disown` drains the group commit before it
 * drops them. A failed flush, or a failed recovery, kills the worker
 * (`onFatal`), as `fatal` does in the engine; what it held was never acknowledged.
 */
export class SimWorker {
  dead = false;
  private readonly owned = new Map<number, { epoch: number; ready: boolean }>();
  private readonly actors = new Map<string, { shard: number; actor: InventoryActor }>();
  private readonly waiting = new Map<number, { eventId: string; resolve: (outcome: Outcome) => void }>();
  /** Rejects the `own` calls under way: a worker that dies never loads them. */
  private readonly owning = new Set<(error: Error) => void>();
  private nextId = 1;
  private readonly db: SimDbClient;
  private readonly commit: GroupCommit;
  private readonly stopExpiry: () => void;

  constructor(
    private readonly env: WorkerEnv,
    private readonly nodeId: string,
    node: NodeEvents,
    clock: Clock,
    private readonly onFatal: (fencedShards: number[]) => void,
  ) {
    const world = env.world;
    this.db = new SimDbClient(env.db, world, node, nodeId, () => !this.dead);
    this.commit = new GroupCommit(this.db, env.flushesInFlight, 0, (ids, outcomes) => this.release(ids, outcomes), (error) => this.fatal(error), null, {
      clock,
      // Every flush may overlap the ones in flight: the simulation's batches are small, and overlapping flushes are what it must cover.
      pipelineEntriesMin: 1,
      drainPollMs,
      plantedBug: world.variant.groupCommitBug ?? undefined,
    });
    this.stopExpiry = clock.every(expiryEveryMs, () => this.expire());
  }

  send(cmd: Command, shard: number): Promise<Outcome> {
    if (this.dead) return Promise.resolve(shardUnavailable);
    const id = this.nextId++;
    const answered = new Promise<Outcome>((resolve) => this.waiting.set(id, { eventId: cmd.eventId, resolve }));
    this.run(id, cmd, shard);
    this.commit.schedule();
    return answered;
  }

  private run(id: number, cmd: Command, shardNo: number): void {
    const shard = this.owned.get(shardNo);
    const hosted = this.actors.get(cmd.eventId);
    if (shard?.ready !== true || hosted === undefined) {
      this.env.world.stats.refusals++;
      return this.commit.answer(id, shardUnavailable);
    }
    const { outcome, entries } = hosted.actor.handle(cmd, this.env.world.now);
    this.commit.record(shardNo, shard.epoch, entries);
    this.commit.answer(id, outcome);
  }

  private release(ids: number[], outcomes: Outcome[]): void {
    if (this.dead) return;
    for (let i = 0; i < ids.length; i++) {
      const waiting = this.waiting.get(ids[i]!);
      if (waiting === undefined) continue;
      this.waiting.delete(ids[i]!);
      this.env.acknowledge(waiting.eventId, outcomes[i]!);
      waiting.resolve(outcomes[i]!);
    }
  }

  /** Resolves once the shard is served at `epoch`; rejects if the worker dies first. */
  own(shard: number, epoch: number): Promise<void> {
    if (this.dead) return Promise.reject(new Error('shard worker is down'));
    return new Promise((resolve, reject) => {
      this.owning.add(reject);
      this.load(shard, epoch).then(
        () => {
          this.owning.delete(reject);
          if (this.dead) reject(new Error('shard worker died while loading'));
          else resolve();
        },
        (error: unknown) => this.fatal(error),
      );
    });
  }

  /** Recovery: the epoch was raised already; read the journal, cut it at a gap, restore the actors. */
  private async load(shardNo: number, epoch: number): Promise<void> {
    const { world, eventsOfShard } = this.env;
    // Owned already (taken back at a new epoch): what the old ownership wrote must be durable first.
    if (this.owned.has(shardNo)) await this.disown(shardNo);
    const shard = { epoch, ready: false };
    this.owned.set(shardNo, shard);
    const events = eventsOfShard[shardNo]!;
    const read = await this.db.query(1, () => events.map((config) => this.env.db.journal(config.eventId)));
    const histories = read.map(unbroken);
    const cuts: Cut[] = [];
    events.forEach((config, i) => {
      const past = read[i]!.length - histories[i]!.length;
      if (past === 0) return;
      if (!world.variant.keepPastGap) cuts.push({ eventId: config.eventId, fromSeq: read[i]![histories[i]!.length]!.seq });
      world.stats.cutEntries += world.variant.keepPastGap ? 0 : past;
    });
    if (cuts.length > 0) {
      world.say(`${this.nodeId} cuts shard ${shardNo}'s journal at a gap: ${cuts.map((c) => `${c.eventId} from #${c.fromSeq}`).join(', ')}`);
      const cut = await this.db.query(1, () => this.env.db.truncate(this.nodeId, shardNo, epoch, cuts));
      if (cut === 'fenced') throw new FencedError([shardNo]);
    }
    if (this.dead || this.owned.get(shardNo) !== shard) return;
    events.forEach((config, i) => {
      try {
        const actor = InventoryActor.restore(config, null, histories[i]!, {
          newId: () => this.env.newId(`${config.eventId}.h`),
          newTicketId: () => this.env.newId('t'),
          deepChecks: true,
        });
        this.actors.set(config.eventId, { shard: shardNo, actor });
      } catch (error) {
        // The engine would crash the worker and retry for ever: here it is the run's failure.
        if (error instanceof InvariantError) world.failure ??= error;
        throw error;
      }
    });
    shard.ready = true;
    if (this.env.lastServer[shardNo] !== this.nodeId) world.stats.failovers++;
    this.env.lastServer[shardNo] = this.nodeId;
    world.say(`${this.nodeId} serves shard ${shardNo} at epoch ${epoch}`);
  }

  /** Stops serving the shard: nothing new is taken; what its actors recorded flushes first (unless the variant skips it). */
  async disown(shardNo: number): Promise<void> {
    this.owned.delete(shardNo);
    if (!this.env.world.variant.retakeBeforeDrain) await this.commit.drain();
    for (const [eventId, hosted] of this.actors) if (hosted.shard === shardNo && !this.owned.has(shardNo)) this.actors.delete(eventId);
  }

  /** The timer side of `expireHolds`, as the engine's worker runs it. */
  private expire(): void {
    const now = this.env.world.now;
    for (const hosted of this.actors.values()) {
      const shard = this.owned.get(hosted.shard);
      const due = hosted.actor.nextExpiryAt();
      if (shard?.ready !== true || due === undefined || due > now) continue;
      this.commit.record(hosted.shard, shard.epoch, hosted.actor.expire(now));
    }
    this.commit.schedule();
  }

  /** The node crashed: the worker is gone with it, and tells nobody. */
  kill(): void {
    this.dead = true;
  }

  /**
   * The worker dies: its actors hold effects that are not durable. Waiting
   * callers learn their command was not done (later flushes may still commit:
   * recovery cuts them at the gap); the node rebuilds it from the journal.
   */
  private fatal(error: unknown): void {
    if (this.dead) return;
    this.dead = true;
    this.stopExpiry();
    this.env.world.say(`${this.nodeId} worker dies: ${(error as Error).message}`);
    this.onFatal(error instanceof FencedError ? error.shards : []);
    for (const { resolve } of this.waiting.values()) resolve(shardUnavailable);
    this.waiting.clear();
    for (const reject of this.owning) reject(new Error('shard worker died'));
    this.owning.clear();
  }
}

/** The entries up to the first gap, as recovery reads them (journal/load.ts, cutAtGap). */
function unbroken(entries: JournalEntry[]): JournalEntry[] {
  let n = 0;
  while (n < entries.length && entries[n]!.seq === n + 1) n++;
  return entries.slice(0, n);
}
