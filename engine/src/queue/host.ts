import type { Db } from '../db/pool.ts';
import type { InventoryActor } from '../inventory/actor.ts';
import type { Command, JournalEntry, Outcome, Refusal } from '../inventory/types.ts';
import { QueueActor, type StockTruth } from './actor.ts';
import type { QueueCommit } from './commit.ts';
import { selectRestoredQueue } from './store.ts';
import type { QueueAnswer, QueueCommand } from './types.ts';

/** What the shard worker tells the host about the shards it serves. */
export type ShardView = { epochOf(shard: number): number | null };

/**
 * The queue side of a shard worker: one QueueActor per drop that has queue
 * settings, beside the drop's inventory actor, fed by every inventory command
 * the worker runs. The worker calls five hooks: `load` (with the inventory),
 * `drop` (disown), `run` (queue commands), `gate`/`observe` (around inventory
 * commands) and `tick` (its timer).
 */
export class QueueHost {
  private readonly actors = new Map<string, { queue: QueueActor; shard: number }>();
  /** Per drop, the head and state last pushed to the waiters (through commit.notice). */
  private readonly pushed = new Map<string, { head: number; state: string }>();

  constructor(private readonly commit: QueueCommit, private readonly reads: Db) {}

  get size(): number {
    return this.actors.size;
  }

  /** Brings back the queue of an event being loaded, if it has one. */
  async load(eventId: string, shard: number, inventory: InventoryActor, now: number): Promise<void> {
    const restored = await selectRestoredQueue(this.reads, eventId);
    if (restored === null) return;
    this.actors.set(eventId, { queue: new QueueActor(eventId, restored, truthOf(inventory), now), shard });
  }

  drop(shard: number): void {
    for (const [eventId, hosted] of this.actors) {
      if (hosted.shard !== shard) continue;
      this.actors.delete(eventId);
      this.pushed.delete(eventId);
    }
  }

  run(id: number, cmd: QueueCommand, shard: number, epoch: number, inventory: InventoryActor, now: number): void {
    let hosted = this.actors.get(cmd.eventId);
    const op = cmd.op;
    if (hosted === undefined) {
      if (op.type !== 'configure') return this.commit.answer(id, wrap({ ok: false, reason: 'queue_off', status: null }));
      // The first configure of a drop: its settings and seed are in Postgres already, no places yet.
      const restored = { settings: op.settings, secret: op.secret, drawnCount: null, head: 0, places: [] };
      hosted = { queue: new QueueActor(cmd.eventId, restored, truthOf(inventory), now), shard };
      this.actors.set(cmd.eventId, hosted);
    }
    const queue = hosted.queue;
    let answer: QueueAnswer;
    switch (op.type) {
      case 'join':
        queue.tick(now);
        answer = queue.join(op.buyer, now);
        break;
      case 'status':
        answer = { ok: true, type: 'status', status: queue.status(now) };
        break;
      case 'admit':
        queue.tick(now);
        answer = queue.admit(op.place, now);
        break;
      case 'configure':
        answer = queue.configure(op.settings, op.secret, now);
        break;
    }
    this.persist(cmd.eventId, hosted.queue, shard, epoch);
    this.push(cmd.eventId, hosted.queue, now);
    this.commit.answer(id, wrap(answer));
    this.commit.schedule();
  }

  /** Refuses a second admitted hold of one buyer on a queued drop (head.ts counts one hold per admission). */
  gate(cmd: Command): Refusal | null {
    // A basket spends the admission as one hold does.
    if ((cmd.kind !== 'placeHold' && cmd.kind !== 'placeBasket') || cmd.admitted !== true) return null;
    return this.actors.get(cmd.eventId)?.queue.gate(cmd.buyer, cmd.key) ?? null;
  }

  /** After an inventory command (or the expiry timer) changed the inventory of `eventId`. */
  observe(eventId: string, cmd: Command | null, entries: JournalEntry[], inventory: InventoryActor): void {
    const hosted = this.actors.get(eventId);
    if (hosted === undefined) return;
    const placing = cmd !== null && (cmd.kind === 'placeHold' || cmd.kind === 'placeBasket');
    const admitted = placing && cmd.admitted === true ? { buyer: cmd.buyer, key: cmd.key } : null;
    hosted.queue.observe(entries, truthOf(inventory), admitted);
    // A sell-out (or stock coming back) is pushed at once, not at the next timer tick.
    this.push(eventId, hosted.queue, Date.now());
    this.commit.schedule();
  }

  /** The timer: lotteries at sale start and head moves, persisted before the next queue answer. */
  tick(now: number, shards: ShardView): void {
    for (const [eventId, hosted] of this.actors) {
      const epoch = shards.epochOf(hosted.shard);
      if (epoch === null) continue;
      hosted.queue.tick(now);
      this.persist(eventId, hosted.queue, hosted.shard, epoch);
      this.push(eventId, hosted.queue, now);
    }
    this.commit.schedule();
  }

  /** Hands the waiters a status when its head or state changed since the last push; the rest waits for the 1 s tick. */
  private push(eventId: string, queue: QueueActor, now: number): void {
    const status = queue.status(now);
    const last = this.pushed.get(eventId);
    if (last !== undefined && last.head === status.head && last.state === status.state) return;
    this.pushed.set(eventId, { head: status.head, state: status.state });
    this.commit.notice(status);
  }

  private persist(eventId: string, queue: QueueActor, shard: number, epoch: number): void {
    const writes = queue.takeWrites();
    if (writes !== null) this.commit.record(eventId, shard, epoch, writes);
  }
}

function wrap(answer: QueueAnswer): Outcome {
  return { ok: true, kind: 'queue', answer };
}

/** Tickets on sale and not held or sold, over the types the event still sells; O(types). */
export function truthOf(inventory: InventoryActor): StockTruth {
  const state = inventory.inventory;
  let stockLeft = 0;
  for (const t of state.config.types) {
    // A retired type is listed for its sales but sells nothing more: the queue must not admit people for it.
    if (t.retired === true) continue;
    const type = state.types.get(t.typeId);
    if (type !== undefined) stockLeft += type.capacity - type.sold - type.held;
  }
  return { stockLeft, activeHolds: state.holds.size, perBuyerLimit: state.config.perBuyerLimit, saleStartsAt: state.config.saleStartsAt };
}
