import { InventoryActor } from '../inventory/actor.ts';
import type { Command, EventConfig, JournalEntry, Outcome } from '../inventory/types.ts';
import { leaseRenewMs, leaseTtlMs } from '../leases/lease_keeper.ts';
import type { Cut, SimBatch, SimDatabase } from './sim_database.ts';
import { leaseCall, type SimLeaseStore } from './sim_lease_store.ts';
import type { World } from './world.ts';

/** How a node answers a client: an outcome, or null when the request died with the node's state. */
export type Reply = (outcome: Outcome | null) => void;

/** What every node shares: the world, the two stores, the events per shard, and the checker's ear. */
export type Env = {
  world: World;
  db: SimDatabase;
  leases: SimLeaseStore;
  eventsOfShard: EventConfig[][];
  /** Called the instant a node releases an answer: from then on it must stay true. */
  acknowledge: (eventId: string, outcome: Outcome) => void;
  /** Hold and ticket ids, unique across nodes and restarts, from one counter. */
  newId: (prefix: string) => string;
  /** Who served each shard last, to count failovers. */
  lastServer: (string | null)[];
  /** Flushes a node keeps in flight at once, as the worker's flush connections (TICKR_FLUSHES_IN_FLIGHT). */
  flushesInFlight: number;
};

type Lease = { validUntil: number; epoch: number | null; serving: boolean };
type Pending = { reply: Reply; outcome: Outcome; eventId: string };
/** A flush begun and not yet released, as in worker/group_commit.ts. */
type InFlight = { answers: Pending[]; committed: boolean };

const expiryEveryMs = 500;

/**
 * One engine node, reduced to the protocol: a lease keeper loop, the shards it
 * serves with their epochs, real InventoryActors, and one group commit.
 *
 * Everything the node does runs as a node event (`run`): a crashed node's
 * events are dropped (its incarnation moved on), a paused node's wait until it
 * resumes and then run with whatever it believed before the pause. Beliefs
 * about leases change only in the keeper loop and in lease replies, never by
 * peeking at the lease store, so a resumed node serves stale shards until
 * its next tick, and its late flushes reach the database: fencing must stop them.
 */
export class SimNode {
  private incarnation = 0;
  private alive = true;
  private pausedUntil = 0;
  private readonly held = new Map<number, Lease>();
  private readonly cooldownUntil: number[];
  /**
   * Rows recorded per shard and not yet committed. A dropped shard is not
   * taken again while it has any: a batch carries one epoch per shard (as in
   * GroupCommit.record), so old rows would commit under the new epoch. The
   * real worker gets the same guarantee from `disown`, which drains the group
   * commit before the keeper's tick goes on to acquire.
   */
  private readonly unflushed: number[];
  private readonly actors = new Map<string, { shard: number; actor: InventoryActor }>();
  // Group commit, as worker/group_commit.ts: one pending batch, several flushes
  // in flight that may commit in any order, answers released in flush order.
  // Unlike the engine (flushPipelineEntriesMin), a flush starts whenever a
  // connection is free: the sim's batches are small, and overlapping flushes
  // are what the checker must see.
  private batch: SimBatch;
  private answers: Pending[] = [];
  private inFlight: InFlight[] = [];
  private connectionsBusy = 0;
  private scheduled = false;
  /** Bumped when the worker dies: a take begun for an earlier worker must not load actors into this one. */
  private life = 0;

  constructor(readonly id: string, private readonly env: Env) {
    this.cooldownUntil = new Array<number>(env.eventsOfShard.length).fill(0);
    this.unflushed = new Array<number>(env.eventsOfShard.length).fill(0);
    this.batch = this.emptyBatch();
  }

  start(): void {
    this.later(this.env.world.rng.int(0, leaseRenewMs), () => this.tick());
    this.later(this.env.world.rng.int(0, expiryEveryMs), () => this.expireLoop());
  }

  /** A command arriving from a client. */
  receive(cmd: Command, reply: Reply): void {
    this.bind(() => this.handle(cmd, reply))();
  }

  pause(ms: number): void {
    if (!this.alive) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.env.world.now + ms);
    this.env.world.stats.pauses++;
    this.env.world.say(`${this.id} paused for ${ms}ms`);
  }

  crash(restartAfterMs: number): void {
    if (!this.alive) return;
    const world = this.env.world;
    world.stats.crashes++;
    world.say(`${this.id} crashed; restarts in ${restartAfterMs}ms`);
    this.alive = false;
    this.incarnation++;
    this.pausedUntil = 0;
    this.held.clear();
    this.actors.clear();
    this.resetCommit();
    world.schedule(restartAfterMs, () => {
      this.alive = true;
      world.say(`${this.id} restarted`);
      this.start();
    });
  }

  // ---- node events -------------------------------------------------------

  private later(delayMs: number, fn: () => void): void {
    const incarnation = this.incarnation;
    this.env.world.schedule(delayMs, () => this.run(incarnation, fn));
  }

  /** Wraps a reply handler so it runs as an event of this incarnation. */
  private bind<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
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
    fn();
  }

  // ---- commands and group commit -------------------------------------------

  private handle(cmd: Command, reply: Reply): void {
    const world = this.env.world;
    const hosted = this.actors.get(cmd.eventId);
    const lease = hosted === undefined ? undefined : this.held.get(hosted.shard);
    if (hosted === undefined || lease === undefined || !lease.serving || lease.epoch === null) {
      world.stats.refusals++;
      world.schedule(world.hopMs(), () => reply({ ok: false, reason: 'shard_unavailable' }));
      return;
    }
    const { outcome, entries } = hosted.actor.handle(cmd, world.now);
    this.record(hosted.shard, lease.epoch, entries);
    const pending = { reply, outcome, eventId: cmd.eventId };
    if (world.variant.ackBeforeCommit) this.release([pending]);
    else this.answers.push(pending);
    this.schedule();
  }

  private record(shard: number, epoch: number, entries: JournalEntry[]): void {
    if (entries.length === 0) return;
    this.batch.epochs.set(shard, epoch);
    this.unflushed[shard]! += entries.length;
    for (const entry of entries) this.batch.rows.push({ shard, entry });
  }

  private schedule(): void {
    if (this.scheduled) return;
    const empty = this.batch.rows.length === 0;
    if (empty && this.answers.length === 0) return;
    if (!empty && this.connectionsBusy >= this.env.flushesInFlight) return;
    this.scheduled = true;
    const life = this.life;
    this.later(this.env.world.rng.int(0, 2), () => life === this.life && this.flush());
  }

  private flush(): void {
    const { world, db } = this.env;
    this.scheduled = false;
    const batch = this.batch;
    const flush: InFlight = { answers: this.answers, committed: false };
    this.batch = this.emptyBatch();
    this.answers = [];
    this.inFlight.push(flush);
    if (batch.rows.length === 0) {
      flush.committed = true;
      return this.releaseInOrder();
    }
    this.connectionsBusy++;
    const f = world.faults;
    // Durations vary widely, so flushes in flight often commit out of order.
    const durationMs = world.rng.chance(f.flushSlow) ? world.rng.int(200, 8_000) : world.rng.int(1, 8);
    const fails = world.rng.chance(f.flushFailed);
    const replyLost = world.rng.chance(f.flushReplyLost);
    if (world.log !== null) {
      const rows = batch.rows.map(({ entry }) => `${entry.eventId}#${entry.seq}`).join(' ');
      world.say(`${this.id} flushes epochs ${[...batch.epochs].map(([s, e]) => `${s}@${e}`).join(',')}: ${rows}`);
    }
    const op = (): 'committed' | 'fenced' | 'failed' => (fails ? 'failed' : db.flush(batch));
    const life = this.life;
    db.call(durationMs, op, this.bind((result) => {
      // The worker that sent it died meanwhile: its connections went with it.
      if (life !== this.life) return;
      if (result.ok && result.value === 'committed') {
        this.connectionsBusy--;
        for (const { shard } of batch.rows) this.unflushed[shard]!--;
        if (this.inFlight[0] !== flush) world.stats.outOfOrderCommits++;
        flush.committed = true;
        if (world.variant.releaseOutOfOrder) this.release(flush.answers.splice(0));
        this.releaseInOrder();
        return this.schedule();
      }
      if (result.ok && result.value === 'fenced') {
        world.stats.fencedFlushes++;
        const moved = [...batch.epochs].filter(([shard, epoch]) => db.epochOf(shard) !== epoch).map(([shard]) => shard);
        world.say(`${this.id} flush fenced on shard(s) ${moved.join(',')}; stepping down`);
        this.stepDown(moved);
      } else {
        world.stats.failedFlushes++;
        world.say(`${this.id} flush failed (${result.ok ? 'failed' : result.error}); worker dies`);
      }
      this.fail();
    }), replyLost);
    this.schedule();
  }

  /** Releases the answers of every committed flush not preceded by one still in flight. */
  private releaseInOrder(): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.committed) this.release(this.inFlight.shift()!.answers);
  }

  private release(answers: Pending[]): void {
    const world = this.env.world;
    for (const pending of answers) {
      this.env.acknowledge(pending.eventId, pending.outcome);
      world.schedule(world.hopMs(), () => pending.reply(pending.outcome));
    }
  }

  /** Forgets every write not yet released: the worker's memory is gone. */
  private resetCommit(): void {
    this.batch = this.emptyBatch();
    this.answers = [];
    this.inFlight = [];
    this.connectionsBusy = 0;
    this.scheduled = false;
    this.unflushed.fill(0);
  }

  /**
   * A failed flush kills the worker: its actors hold effects that are not
   * durable. Waiting clients get an error, whatever flush carries them (later
   * flushes may still commit: recovery cuts them at the gap); the shards still
   * leased come back at a new epoch from the journal, like LeaseKeeper.reserve.
   */
  private fail(): void {
    const world = this.env.world;
    const waiting = [...this.inFlight.flatMap((f) => f.answers), ...this.answers];
    for (const pending of waiting) world.schedule(world.hopMs(), () => pending.reply(null));
    this.actors.clear();
    this.resetCommit();
    const life = ++this.life;
    for (const [shard, lease] of this.held) {
      lease.serving = false;
      lease.epoch = null;
      this.later(world.rng.int(20, 200), () => this.take(shard, lease, life));
    }
  }

  private expireLoop(): void {
    const now = this.env.world.now;
    for (const { shard, actor } of this.actors.values()) {
      const lease = this.held.get(shard);
      const due = actor.nextExpiryAt();
      if (lease?.serving !== true || lease.epoch === null || due === undefined || due > now) continue;
      this.record(shard, lease.epoch, actor.expire(now));
    }
    this.schedule();
    this.later(expiryEveryMs, () => this.expireLoop());
  }

  // ---- lease keeper --------------------------------------------------------

  /**
   * Renews what it holds, gives up what it cannot confirm before the lease's
   * validity ends (the next renewal could come too late), and tries for free shards.
   */
  private tick(): void {
    const { world, leases } = this.env;
    for (const [shard, lease] of this.held) {
      if (world.now + leaseRenewMs >= lease.validUntil) {
        world.stats.leasesLost++;
        world.say(`${this.id} cannot confirm its lease of shard ${shard} in time; stops serving it`);
        this.drop(shard);
        continue;
      }
      const sentAt = world.now;
      leaseCall(world, leaseTtlMs, () => leases.renewNow(shard, this.id, leaseTtlMs), this.bind((ok: boolean) => {
        if (this.held.get(shard) !== lease) return;
        if (ok) lease.validUntil = Math.max(lease.validUntil, sentAt + leaseTtlMs);
        else {
          world.stats.leasesLost++;
          world.say(`${this.id} renewal of shard ${shard} refused; stops serving it`);
          this.drop(shard);
        }
      }));
    }
    for (let shard = 0; shard < this.cooldownUntil.length; shard++) {
      if (this.held.has(shard) || (this.unflushed[shard]! > 0 && !world.variant.retakeBeforeDrain) || world.now < this.cooldownUntil[shard]!) continue;
      if (!world.rng.chance(0.5)) continue;
      const sentAt = world.now;
      leaseCall(world, leaseTtlMs, () => leases.acquireNow(shard, this.id, leaseTtlMs), this.bind((ok: boolean) => {
        if (!ok || this.held.has(shard) || world.now >= sentAt + leaseTtlMs - leaseRenewMs) return;
        const lease: Lease = { validUntil: sentAt + leaseTtlMs, epoch: null, serving: false };
        this.held.set(shard, lease);
        this.take(shard, lease);
      }));
    }
    this.later(leaseRenewMs, () => this.tick());
  }

  /** Lease won: raise the epoch, then read the journal, then serve (never in another order). */
  private take(shard: number, lease: Lease, life = this.life): void {
    const { world, db, eventsOfShard } = this.env;
    const current = (): boolean => this.held.get(shard) === lease && this.life === life;
    if (!current()) return;
    db.call(1, () => db.raise(shard), this.bind((raised) => {
      if (!current()) return;
      if (!raised.ok) return this.giveUp(shard, raised.error);
      const epoch = raised.value;
      const events = eventsOfShard[shard]!;
      db.call(1, () => events.map((config) => db.journal(config.eventId)), this.bind((read) => {
        if (!current()) return;
        if (!read.ok) return this.giveUp(shard, read.error);
        const histories = read.value.map(unbroken);
        const cuts: Cut[] = [];
        events.forEach((config, i) => {
          const past = read.value[i]!.length - histories[i]!.length;
          if (past > 0 && !world.variant.keepPastGap) cuts.push({ eventId: config.eventId, fromSeq: read.value[i]![histories[i]!.length]!.seq });
          world.stats.cutEntries += world.variant.keepPastGap ? 0 : past;
        });
        const serve = () => this.serve(shard, lease, epoch, histories);
        if (cuts.length === 0) return serve();
        world.say(`${this.id} cuts shard ${shard}'s journal at a gap: ${cuts.map((c) => `${c.eventId} from #${c.fromSeq}`).join(', ')}`);
        db.call(1, () => db.truncate(this.id, shard, epoch, cuts), this.bind((cut) => {
          if (!current()) return;
          if (!cut.ok) return this.giveUp(shard, cut.error);
          if (cut.value === 'fenced') return this.giveUp(shard, 'fenced while cutting the journal');
          serve();
        }));
      }));
    }));
  }

  /** Recovery done: the actors come back from the unbroken history of each event, and the shard is served. */
  private serve(shard: number, lease: Lease, epoch: number, histories: JournalEntry[][]): void {
    const world = this.env.world;
    this.env.eventsOfShard[shard]!.forEach((config, i) => {
      const actor = InventoryActor.restore(config, null, histories[i]!, {
        newId: () => this.env.newId(`${config.eventId}.h`),
        newTicketId: () => this.env.newId('t'),
        deepChecks: true,
      });
      this.actors.set(config.eventId, { shard, actor });
    });
    lease.epoch = epoch;
    lease.serving = true;
    if (this.env.lastServer[shard] !== this.id) world.stats.failovers++;
    this.env.lastServer[shard] = this.id;
    world.say(`${this.id} serves shard ${shard} at epoch ${epoch}`);
  }

  private giveUp(shard: number, why: string): void {
    this.env.world.say(`${this.id} could not take shard ${shard}: ${why}`);
    this.drop(shard);
    const leases = this.env.leases;
    leaseCall(this.env.world, leaseTtlMs, () => (leases.releaseNow(shard, this.id), true), () => {});
  }

  /** Stops serving: no new commands; rows already recorded still flush, as after `disown`. */
  private drop(shard: number): void {
    this.held.delete(shard);
    for (const [eventId, hosted] of this.actors) if (hosted.shard === shard) this.actors.delete(eventId);
  }

  /** A flush found a newer epoch: that owner won. Step down and leave the shard alone for a while. */
  private stepDown(shards: number[]): void {
    const world = this.env.world;
    for (const shard of shards) {
      this.drop(shard);
      this.cooldownUntil[shard] = world.now + 2 * leaseTtlMs;
      leaseCall(world, leaseTtlMs, () => (this.env.leases.releaseNow(shard, this.id), true), () => {});
    }
  }

  private emptyBatch(): SimBatch {
    return { node: this.id, epochs: new Map(), rows: [] };
  }
}

/** The entries up to the first gap, as recovery reads them (journal/load.ts, cutAtGap). */
function unbroken(entries: JournalEntry[]): JournalEntry[] {
  let n = 0;
  while (n < entries.length && entries[n]!.seq === n + 1) n++;
  return entries.slice(0, n);
}
