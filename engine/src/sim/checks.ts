import type { EventConfig, JournalEntry, Outcome } from '../inventory/types.ts';
import { leaseTtlMs } from '../leases/lease_keeper.ts';
import type { SimDatabase } from './sim_database.ts';
import type { SimLeaseStore } from './sim_lease_store.ts';
import type { SimNode } from './sim_node.ts';

/** An invariant broke: the message names the seed and step, so the run can be replayed. */
export class SimulationFailure extends Error {
  override name = 'SimulationFailure';
  constructor(readonly seed: number, readonly step: number, readonly violation: string) {
    super(`simulation failed (seed ${seed}, step ${step}): ${violation}`);
  }
}

type HoldFate = { typeId: string; qty: number; state: 'held' | 'confirmed' | 'released' };
/**
 * One event's journal as recovery reads it: the unbroken history folded up to
 * `seq`, and the entries committed beyond a gap (`ahead`), which join the
 * history once the gap fills (an earlier flush committing late) or leave it
 * when recovery cuts them.
 */
type Fold = {
  seq: number;
  ahead: Map<number, JournalEntry>;
  capacity: Map<string, number>;
  sold: Map<string, number>;
  held: Map<string, number>;
  holds: Map<string, HoldFate>;
};
type Ack = { eventId: string; holdId: string; kind: 'held' | 'confirmed'; at: number };

/**
 * The promises, checked against the committed journal alone, never against
 * what a node believes:
 *
 * 1. One writer per shard and epoch, and no commit at an epoch older than the
 *    shard's current one (a stale owner never commits after a raise).
 * 2. The journal is one history per event: seqs 1, 2, 3, ... with no repeats,
 *    each hold placed once and closed at most once. A second writer shows up
 *    here. Flushes may commit out of order: an entry past a gap waits until
 *    the gap fills; recovery may cut such entries, never the history before
 *    the gap.
 * 3. No oversell: for every type, sold + held <= capacity, folded from the journal.
 * 4. No acknowledged answer lost: a hold answered `held` is placed in the
 *    journal, one answered `confirmed` is confirmed there. The journal only
 *    grows and (by 2) a hold's fate only moves forward from `held`, so an ack
 *    that holds once holds forever after; `final` checks them all again anyway.
 * 5. A node serves a shard only while it holds the shard's lease: whenever a
 *    node's LeaseKeeper says it serves a shard, the lease store gives the
 *    shard to that node. Redis losing every lease excuses it for one lease
 *    lifetime (fencing alone keeps the journal right meanwhile). This one reads
 *    beliefs, not the journal: it is the promise that a node stops answering
 *    before its lease could lapse.
 *
 * The checker reads new commits and new acks since its last call, so a check
 * after every step costs what that step added.
 */
export class Checker {
  private readonly folds = new Map<string, Fold>();
  private readonly writers = new Map<string, string>();
  private readonly acks: Ack[] = [];
  private commitsSeen = 0;
  private acksSeen = 0;
  step = 0;

  /**
   * `epochRule: false` leaves out the direct check of promise 1's second half,
   * so a test can show that the consequences of a broken fence (2, 3, 4) are caught on their own.
   */
  constructor(private readonly seed: number, private readonly db: SimDatabase, events: EventConfig[], private readonly epochRule = true) {
    for (const event of events) {
      const capacity = new Map(event.types.map((t) => [t.typeId, t.capacity] as const));
      const zero = () => new Map(event.types.map((t) => [t.typeId, 0] as const));
      this.folds.set(event.eventId, { seq: 0, ahead: new Map(), capacity, sold: zero(), held: zero(), holds: new Map() });
    }
  }

  /** A node released this answer to a client, at `at`. */
  acknowledge(eventId: string, outcome: Outcome, at: number): void {
    if (!outcome.ok) return;
    if (outcome.kind === 'held' && outcome.hold.status === 'held') this.acks.push({ eventId, holdId: outcome.hold.holdId, kind: 'held', at });
    if (outcome.kind === 'confirmed') this.acks.push({ eventId, holdId: outcome.hold.holdId, kind: 'confirmed', at });
  }

  get acknowledged(): number {
    return this.acks.length;
  }

  check(): void {
    const commits = this.db.commits;
    for (; this.commitsSeen < commits.length; this.commitsSeen++) {
      const commit = commits[this.commitsSeen]!;
      for (let i = 0; i < commit.epochs.length; i++) {
        const [shard, epoch] = commit.epochs[i]!;
        const current = commit.current[i]![1];
        const key = `${shard}:${epoch}`;
        const writer = this.writers.get(key);
        if (writer !== undefined && writer !== commit.node) this.fail(`shard ${shard} epoch ${epoch}: both ${writer} and ${commit.node} committed`);
        this.writers.set(key, commit.node);
        if (this.epochRule && epoch !== current) this.fail(`${commit.node} committed to shard ${shard} at epoch ${epoch} after epoch ${current} was raised`);
      }
      for (const { entry } of commit.rows) this.arrive(entry);
      for (const cut of commit.cuts) this.cut(cut.eventId, cut.fromSeq, commit.node);
    }
    for (; this.acksSeen < this.acks.length; this.acksSeen++) this.checkAck(this.acks[this.acksSeen]!);
  }

  /** Promise 5, for every node and shard, now. */
  checkLeases(nodes: SimNode[], leases: SimLeaseStore, shards: number): void {
    if (leases.flushedAt + leaseTtlMs > leases.now()) return;
    for (const node of nodes) {
      for (let shard = 0; shard < shards; shard++) {
        if (!node.serves(shard)) continue;
        const holder = leases.holderNow(shard);
        if (holder !== node.id) this.fail(`${node.id} serves shard ${shard} but its lease is ${holder === null ? 'gone' : `${holder}'s`}`);
      }
    }
  }

  /** Everything once more, at the end of a run. */
  final(): void {
    this.check();
    for (const ack of this.acks) this.checkAck(ack);
  }

  private checkAck(ack: Ack): void {
    const fate = this.folds.get(ack.eventId)!.holds.get(ack.holdId);
    if (fate === undefined) this.fail(`hold ${ack.holdId} was acknowledged as ${ack.kind} at ${ack.at}ms but the journal never placed it`);
    if (ack.kind === 'confirmed' && fate.state !== 'confirmed') {
      this.fail(`hold ${ack.holdId} was acknowledged as confirmed at ${ack.at}ms but the journal has it ${fate.state}`);
    }
  }

  /** A committed entry: folded at once if it continues the history, else kept until the gap before it fills. */
  private arrive(entry: JournalEntry): void {
    const fold = this.folds.get(entry.eventId);
    if (fold === undefined) return this.fail(`journal entry for unknown event ${entry.eventId}`);
    if (entry.seq <= fold.seq || fold.ahead.has(entry.seq)) {
      this.fail(`event ${entry.eventId}: journal seq ${entry.seq} written twice (two writers, or entries past a gap left behind)`);
    }
    fold.ahead.set(entry.seq, entry);
    for (let next = fold.ahead.get(fold.seq + 1); next !== undefined; next = fold.ahead.get(fold.seq + 1)) {
      fold.ahead.delete(next.seq);
      this.apply(fold, next);
    }
  }

  /** Recovery dropped what followed a gap: it may drop nothing of the unbroken history. */
  private cut(eventId: string, fromSeq: number, node: string): void {
    const fold = this.folds.get(eventId)!;
    if (fromSeq <= fold.seq) this.fail(`${node} cut event ${eventId}'s journal from seq ${fromSeq}, inside its history (up to ${fold.seq})`);
    for (const seq of fold.ahead.keys()) if (seq >= fromSeq) fold.ahead.delete(seq);
  }

  private apply(fold: Fold, entry: JournalEntry): void {
    fold.seq = entry.seq;
    const body = entry.body;
    switch (body.kind) {
      case 'hold_placed': {
        const hold = body.hold;
        if (fold.holds.has(hold.holdId)) this.fail(`hold ${hold.holdId} placed twice`);
        fold.holds.set(hold.holdId, { typeId: hold.typeId, qty: hold.qty, state: 'held' });
        add(fold.held, hold.typeId, hold.qty);
        this.checkType(entry.eventId, fold, hold.typeId);
        return;
      }
      case 'hold_released':
      case 'hold_confirmed': {
        const fate = fold.holds.get(body.holdId);
        if (fate === undefined) return this.fail(`journal closes hold ${body.holdId}, never placed`);
        if (fate.state !== 'held') this.fail(`journal closes hold ${body.holdId} again (it was ${fate.state})`);
        add(fold.held, fate.typeId, -fate.qty);
        if (body.kind === 'hold_confirmed') add(fold.sold, fate.typeId, fate.qty);
        fate.state = body.kind === 'hold_confirmed' ? 'confirmed' : 'released';
        return;
      }
      case 'capacity_changed':
        fold.capacity.set(body.typeId, body.capacity);
        this.checkType(entry.eventId, fold, body.typeId);
        return;
    }
  }

  private checkType(eventId: string, fold: Fold, typeId: string): void {
    const sold = fold.sold.get(typeId) ?? 0;
    const held = fold.held.get(typeId) ?? 0;
    const capacity = fold.capacity.get(typeId) ?? 0;
    if (sold + held > capacity) this.fail(`oversold: event ${eventId} type ${typeId} has sold ${sold} + held ${held} > capacity ${capacity}`);
  }

  private fail(violation: string): never {
    throw new SimulationFailure(this.seed, this.step, violation);
  }
}

function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}
