import type { JournalEntry } from '../inventory/types.ts';
import { FencedError, type Batch } from '../journal/flush.ts';
import type { EpochStore } from '../leases/lease_keeper.ts';
import type { JournalFlushes } from '../worker/group_commit.ts';
import type { NodeEvents, World } from './world.ts';

/** A batch as a node sends it: the epoch it holds for each shard, and its rows. */
export type SimBatch = { node: string; epochs: Map<number, number>; rows: { shard: number; entry: JournalEntry }[] };

/** Recovery's cut of one event's journal: every entry from `fromSeq` on goes (journal/load.ts, recoverEvent). */
export type Cut = { eventId: string; fromSeq: number };

/**
 * What the database committed, for the checker: who, at which epochs, and the
 * epochs current at that instant; the rows of a flush, or the cuts of a recovery.
 */
export type Commit = {
  at: number;
  node: string;
  epochs: [shard: number, epoch: number][];
  current: [shard: number, epoch: number][];
  rows: { shard: number; entry: JournalEntry }[];
  cuts: Cut[];
};

export type DbResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Postgres as the protocol needs it: epochs that only grow, an append-only
 * journal per event, and a flush that commits all of its rows or none, and
 * only while every shard's epoch is still the batch's (the FOR SHARE fence of
 * journal/flush.ts). Each operation takes effect at one instant, which is how
 * the row locks serialise a raise with a flush.
 */
export class SimDatabase {
  private readonly epochs: number[];
  private readonly journals = new Map<string, JournalEntry[]>();
  readonly commits: Commit[] = [];
  /** Bumped by a restart: operations begun before it fail. */
  private generation = 0;
  private downUntil = 0;

  constructor(shards: number, private readonly world: World) {
    this.epochs = new Array<number>(shards).fill(0);
  }

  epochOf(shard: number): number {
    return this.epochs[shard]!;
  }

  /** `UPDATE shard_epochs SET epoch = epoch + 1 RETURNING epoch`. */
  raise(shard: number): number {
    return ++this.epochs[shard]!;
  }

  /** Every committed entry of the event, in seq order; flushes commit out of order, so there may be gaps. */
  journal(eventId: string): JournalEntry[] {
    return [...(this.journals.get(eventId) ?? [])].sort((a, b) => a.seq - b.seq);
  }

  /** Commits the batch atomically, or refuses it when any of its shards moved to a newer epoch. */
  flush(batch: SimBatch): 'committed' | 'fenced' {
    const epochs = [...batch.epochs];
    const fenced = epochs.some(([shard, epoch]) => this.epochs[shard] !== epoch);
    if (fenced && this.world.variant.fencing) return 'fenced';
    for (const { entry } of batch.rows) {
      let journal = this.journals.get(entry.eventId);
      if (journal === undefined) this.journals.set(entry.eventId, (journal = []));
      journal.push(entry);
    }
    this.commits.push({ at: this.world.now, node: batch.node, epochs, current: epochs.map(([shard]) => [shard, this.epochs[shard]!]), rows: batch.rows, cuts: [] });
    return 'committed';
  }

  /** Recovery's fenced DELETE of what follows a gap: only the shard's current owner may cut. */
  truncate(node: string, shard: number, epoch: number, cuts: Cut[]): 'truncated' | 'fenced' {
    if (this.epochs[shard] !== epoch && this.world.variant.fencing) return 'fenced';
    for (const { eventId, fromSeq } of cuts) {
      this.journals.set(eventId, (this.journals.get(eventId) ?? []).filter((e) => e.seq < fromSeq));
    }
    this.commits.push({ at: this.world.now, node, epochs: [[shard, epoch]], current: [[shard, this.epochs[shard]!]], rows: [], cuts });
    return 'truncated';
  }

  restart(downMs: number): void {
    this.generation++;
    this.downUntil = this.world.now + downMs;
  }

  /**
   * One round trip: the request arrives after a hop, runs for `durationMs`,
   * and takes effect at its end unless the database restarted meanwhile; the
   * reply comes back after another hop. `commitThenFail` models a reply lost
   * after the commit: the caller sees an error for work that is durable.
   */
  call<T>(durationMs: number, op: () => T, reply: (result: DbResult<T>) => void, commitThenFail = false): void {
    const world = this.world;
    world.schedule(world.hopMs(), () => {
      if (world.now < this.downUntil) return world.schedule(world.hopMs(), () => reply({ ok: false, error: 'database unavailable' }));
      const generation = this.generation;
      world.schedule(durationMs, () => {
        let result: DbResult<T>;
        if (generation !== this.generation) result = { ok: false, error: 'connection terminated by a restart' };
        else {
          const value = op();
          result = commitThenFail ? { ok: false, error: 'connection lost after commit' } : { ok: true, value };
        }
        world.schedule(world.hopMs(), () => reply(result));
      });
    });
  }
}

/**
 * A node's connections to the simulated database, as the ports of the
 * engine's classes: JournalFlushes for GroupCommit (with the flush faults),
 * EpochStore for LeaseKeeper, and `query` for recovery. Answers arrive as node
 * events, and only while `live` (a worker that died took its connections).
 */
export class SimDbClient implements JournalFlushes, EpochStore {
  private sent = 0;
  /** Flushes sent and not answered yet, by number. */
  private readonly open = new Set<number>();

  constructor(
    private readonly db: SimDatabase,
    private readonly world: World,
    private readonly node: NodeEvents,
    private readonly nodeId: string,
    private readonly live: () => boolean = () => true,
  ) {}

  flush(batch: Batch): Promise<void> {
    const { world, db } = this;
    const f = world.faults;
    const no = ++this.sent;
    this.open.add(no);
    // Durations vary widely, so flushes in flight often commit out of order.
    const durationMs = world.rng.chance(f.flushSlow) && world.inject('flushSlow') ? world.rng.int(200, 8_000) : world.rng.int(1, 8);
    const fails = world.rng.chance(f.flushFailed) && world.inject('flushFailed');
    const replyLost = world.rng.chance(f.flushReplyLost) && world.inject('flushReplyLost');
    if (world.log !== null) {
      const rows = batch.rows.map(({ entry }) => `${entry.eventId}#${entry.seq}`).join(' ');
      world.say(`${this.nodeId} flushes epochs ${[...batch.epochs].map(([s, e]) => `${s}@${e}`).join(',')}: ${rows}`);
    }
    const op = (): 'committed' | 'fenced' | 'failed' => {
      if (fails) return 'failed';
      const result = db.flush({ node: this.nodeId, epochs: batch.epochs, rows: batch.rows });
      if (result === 'committed' && [...this.open].some((n) => n < no)) world.stats.outOfOrderCommits++;
      if (result === 'committed' && !this.live()) world.stats.commitsAfterDeath++;
      return result;
    };
    return new Promise((resolve, reject) => {
      const answer = this.node.bind((result: DbResult<'committed' | 'fenced' | 'failed'>) => {
        if (!this.live()) return;
        if (result.ok && result.value === 'committed') return resolve();
        if (result.ok && result.value === 'fenced') {
          world.stats.fencedFlushes++;
          const moved = [...batch.epochs].filter(([shard, epoch]) => db.epochOf(shard) !== epoch).map(([shard]) => shard);
          world.say(`${this.nodeId} flush fenced on shard(s) ${moved.join(',')}`);
          return reject(new FencedError(moved));
        }
        world.stats.failedFlushes++;
        world.say(`${this.nodeId} flush failed (${result.ok ? 'failed' : result.error})`);
        reject(new Error(result.ok ? 'flush failed' : result.error));
      });
      db.call(durationMs, op, (result) => {
        this.open.delete(no);
        answer(result);
      }, replyLost);
    });
  }

  /** `UPDATE shard_epochs SET epoch = epoch + 1 ... RETURNING` for all of `shards` at once. */
  raise(shards: number[]): Promise<Map<number, number>> {
    return this.query(1, () => new Map(shards.map((shard) => [shard, this.db.raise(shard)] as const)));
  }

  /** One statement that takes `durationMs`; rejects with the database's error. */
  query<T>(durationMs: number, op: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.db.call(durationMs, op, this.node.bind((result: DbResult<T>) => {
        if (!this.live()) return;
        if (result.ok) resolve(result.value);
        else reject(new Error(result.error));
      }));
    });
  }
}
