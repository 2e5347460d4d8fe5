import { assert } from '../assert.ts';
import { closedHoldsMax, idempotencyKeysMax, idempotencyTtlMs } from '../constants.ts';
import {
  applyConfig,
  applyEntry,
  availability,
  checkInvariant,
  checkType,
  emptyInventory,
  fromSnapshot,
  holdView,
  refusal,
  type HoldRecord,
  toSnapshot,
  type Handled,
} from './apply.ts';
import { changeCapacity } from './commands/change_capacity.ts';
import { confirmHold } from './commands/confirm_hold.ts';
import { expireHolds } from './commands/expire_holds.ts';
import { placeBasket } from './commands/place_basket.ts';
import { placeHold } from './commands/place_hold.ts';
import { refundTickets } from './commands/refund_tickets.ts';
import { releaseAllHolds } from './commands/release_all_holds.ts';
import { releaseHold } from './commands/release_hold.ts';
import { ExpiryHeap } from './expiry_heap.ts';
import { IdMap } from './id_map.ts';
import { holdIdSource, newTicketId, type Ids } from './ids.ts';
import { KeyAnswers, type KeyAnswer } from './key_answers.ts';
import { ClosedHolds, type ClosedStatus } from './recent.ts';
import type {
  Command,
  EventConfig,
  GetHold,
  Hold,
  HoldView,
  Inventory,
  JournalBody,
  JournalEntry,
  Outcome,
  PlaceBasket,
  PlaceHold,
  Refusal,
  SnapshotState,
  TypeAvailability,
  TypeState,
} from './types.ts';

export type ActorOptions = {
  /** Hold ids; default `newHoldId(eventId)`'s, made in batches (`holdIdSource`). */
  newId?: () => string;
  /** Ticket ids; default a random UUID. */
  newTicketId?: () => string;
  /** Also recount every hold and buyer after each write, O(holds): tests and debugging only. */
  deepChecks?: boolean;
};

export type Handling = { outcome: Outcome; entries: JournalEntry[] };

/**
 * The only writer of one event's inventory. Handlers decide and return journal
 * bodies; `write` numbers them and `commitEntry` applies each through
 * `applyEntry`, the same function recovery uses, then updates the actor's own
 * indexes (expiry heap, idempotency keys, closed holds) from the entry alone.
 * So a restored actor rebuilds those indexes the same way it built them live.
 *
 * Idempotency keys are scoped per buyer. The key of an open hold is kept as
 * long as the hold, so a retry never makes a second hold. Answers for closed
 * holds and refusals are kept at most `idempotencyKeysMax`, at most
 * `idempotencyTtlMs`. A restore from a snapshot knows the keys of the holds
 * still open and of the holds placed in the journal tail; a retry for a hold
 * that closed before the snapshot is answered as a new attempt.
 */
export class InventoryActor {
  readonly eventId: string;
  private readonly state: Inventory;
  private readonly ids: Ids;
  private readonly deepChecks: boolean;
  private readonly heap = new ExpiryHeap();
  /**
   * Answers by key, scoped per buyer. An open hold's key is pinned (never dropped), so a
   * retry never makes a second hold; the rest are kept at most
   * `idempotencyKeysMax`, at most `idempotencyTtlMs`.
   */
  private readonly answers: KeyAnswers;
  /** The answers' slots of open keyed holds by hold id: small, so closing a hold finds its answer cheaply. */
  private readonly openAnswers = new IdMap<number>();
  private readonly closed = new ClosedHolds(closedHoldsMax);
  /** The state's types, for the O(types) check after every write without iterating a Map. */
  private typeList: TypeState[] = [];

  private constructor(state: Inventory, opts: ActorOptions) {
    this.state = state;
    this.eventId = state.config.eventId;
    // Its hold ids are `${eventId}.` and a suffix unless a test makes its own.
    this.answers = new KeyAnswers(idempotencyKeysMax, idempotencyTtlMs, opts.newId === undefined ? `${this.eventId}.` : '');
    this.ids = {
      newHoldId: opts.newId ?? holdIdSource(this.eventId),
      newTicketId: opts.newTicketId ?? newTicketId,
    };
    this.deepChecks = opts.deepChecks ?? false;
    this.typeList = [...state.types.values()];
    for (const hold of state.holds.values()) this.indexPlaced(hold);
  }

  static create(config: EventConfig, opts: ActorOptions = {}): InventoryActor {
    return new InventoryActor(emptyInventory(config), opts);
  }

  /** Rebuilds an actor from its latest snapshot (or none) and the journal entries after it. */
  static restore(config: EventConfig, snapshot: SnapshotState | null, entries: JournalEntry[], opts: ActorOptions = {}): InventoryActor {
    const state = snapshot === null ? emptyInventory(config) : fromSnapshot(config, snapshot);
    const actor = new InventoryActor(state, opts);
    for (const entry of entries) if (entry.seq > state.seq) actor.commitEntry(entry);
    actor.check();
    return actor;
  }

  get seq(): number {
    return this.state.seq;
  }

  /** The live state, for tests and debugging. Read it; never change it. */
  get inventory(): Inventory {
    return this.state;
  }

  /** Applies a command at time `now`; returns the outcome and the journal entries it wrote. */
  handle(cmd: Command, now: number): Handling {
    assert(cmd.eventId === this.eventId, 'command routed to the wrong event');
    const state = this.state;
    switch (cmd.kind) {
      case 'placeHold':
        return this.placeHold(cmd, now);
      case 'placeBasket':
        return this.placeBasket(cmd, now);
      case 'releaseHold':
        return this.write(releaseHold(state, cmd, now));
      case 'confirmHold':
        return this.write(confirmHold(state, cmd, now, this.ids));
      case 'changeCapacity':
        return this.write(changeCapacity(state, cmd, now));
      case 'expireHolds':
        return this.write(expireHolds(state, cmd, now, this.due(now)));
      case 'getHold':
        return { outcome: this.getHold(cmd, now), entries: [] };
      case 'snapshot': {
        const types = availability(state);
        return { outcome: { ok: true, kind: 'snapshot', eventId: this.eventId, seq: state.seq, types, activeHolds: state.holds.size }, entries: [] };
      }
      case 'refundTickets':
        return this.write(refundTickets(state, cmd, now));
      case 'releaseAllHolds':
        return this.write(releaseAllHolds(state, cmd, now));
      case 'queue':
        // The worker hands queue commands to its queue host (queue/host.ts).
        throw new Error('a queue command reached the inventory actor');
      case 'reconfigure':
        applyConfig(state, cmd.config);
        this.typeList = [...state.types.values()];
        this.check();
        return { outcome: { ok: true, kind: 'reconfigured' }, entries: [] };
    }
  }

  /** Expires every hold whose `expiresAt <= now`, earliest first. */
  expire(now: number): JournalEntry[] {
    return this.write(expireHolds(this.state, { kind: 'expireHolds', eventId: this.eventId }, now, this.due(now))).entries;
  }

  /** The earliest `expiresAt` among active holds, or undefined; amortized O(log holds). */
  nextExpiryAt(): number | undefined {
    let top = this.heap.peek();
    while (top !== undefined && this.state.holds.get(top.holdId) !== top) {
      this.heap.pop();
      top = this.heap.peek();
    }
    return top?.expiresAt;
  }

  snapshot(): SnapshotState {
    return toSnapshot(this.state);
  }

  /** What a snapshot costs to write, in items: the open holds and the buyers it lists. */
  get snapshotItems(): number {
    return this.state.holds.size + this.state.perBuyer.size;
  }

  availability(): TypeAvailability[] {
    return availability(this.state);
  }

  private placeHold(cmd: PlaceHold, now: number): Handling {
    if (cmd.key === null) return this.write(placeHold(this.state, cmd, now, this.ids));
    // Keys are the client's; two buyers may pick the same one, so each buyer is a scope.
    const answer = this.answers.get(cmd.key, now, cmd.buyer);
    if (answer !== undefined) return { outcome: this.answerAgain(answer, cmd, now), entries: [] };
    const handled = placeHold(this.state, cmd, now, this.ids);
    // A hold's answer is recorded when its entry is applied (indexPlaced), live or replayed.
    if (!handled.outcome.ok) this.answers.refused(cmd.key, cmd.buyer, now, cmd.typeId, cmd.qty, handled.outcome, null);
    return this.write(handled);
  }

  /** Like `placeHold`; a retry under the same key answers the whole basket, or its refusal. */
  private placeBasket(cmd: PlaceBasket, now: number): Handling {
    if (cmd.key === null) return this.write(placeBasket(this.state, cmd, now, this.ids));
    const answer = this.answers.get(cmd.key, now, cmd.buyer);
    if (answer !== undefined) return { outcome: this.answerBasketAgain(answer, cmd, now), entries: [] };
    const handled = placeBasket(this.state, cmd, now, this.ids);
    if (!handled.outcome.ok) this.answers.refused(cmd.key, cmd.buyer, now, basketItems(cmd.items), 0, handled.outcome, []);
    return this.write(handled);
  }

  private answerBasketAgain(answer: KeyAnswer, cmd: PlaceBasket, now: number): Outcome {
    const items = basketItems(cmd.items);
    if (answer.basket === null) return keyReused;
    if (answer.refusal !== null) return answer.typeId === items ? answer.refusal : keyReused;
    if (basketItems(answer.basket) !== items) return keyReused;
    const holds = answer.basket.map((hold) => holdView(this.state.config, hold, this.statusOfAnswered(hold, answer, now)));
    return { ok: true, kind: 'basketHeld', holds };
  }

  /** Where a basket's hold stands: open, closed recently, or (forgotten) as its first hold. */
  private statusOfAnswered(hold: HoldRecord, answer: KeyAnswer, now: number): HoldView['status'] {
    const open = this.state.holds.get(hold.holdId);
    if (open !== undefined) return statusOf(open, now);
    if (hold.holdId === answer.holdId) return answer.status;
    return this.closed.find(hold.holdId)?.status ?? 'released';
  }

  private answerAgain(answer: KeyAnswer, cmd: PlaceHold, now: number): Outcome {
    if (answer.basket !== null || answer.typeId !== cmd.typeId || answer.qty !== cmd.qty) return keyReused;
    if (answer.refusal !== null) return answer.refusal;
    const status = answer.status === 'held' ? statusOf(answer, now) : answer.status;
    return { ok: true, kind: 'held', hold: holdView(this.state.config, answer, status) };
  }

  private getHold(cmd: GetHold, now: number): Outcome {
    const hold = this.state.holds.get(cmd.holdId);
    if (hold !== undefined) return { ok: true, kind: 'hold', hold: holdView(this.state.config, hold, statusOf(hold, now)) };
    const closed = this.closed.find(cmd.holdId);
    if (closed !== undefined) return { ok: true, kind: 'hold', hold: holdView(this.state.config, closed.hold, closed.status) };
    return refusal('hold_not_found');
  }

  /**
   * Numbers a handler's bodies, applies them, and checks the invariant once.
   * The handler's answer becomes the actor's: its entries array (fresh per
   * call, see `Handled`) is numbered in place, entry for body, rather than
   * copied, which saves two objects on every command.
   */
  private write(handled: Handled): Handling {
    const bodies = handled.entries;
    const entries = bodies as unknown[] as JournalEntry[];
    for (let i = 0; i < bodies.length; i++) entries[i] = this.commit(bodies[i]!);
    if (entries.length > 0) this.check();
    return handled as unknown as Handling;
  }

  /** Numbers one body and commits it. */
  private commit(body: JournalBody): JournalEntry {
    const entry: JournalEntry = { eventId: this.eventId, seq: this.state.seq + 1, body };
    this.commitEntry(entry);
    return entry;
  }

  /** The one path for an entry, live or replayed: apply it, then update the indexes. */
  private commitEntry(entry: JournalEntry): void {
    const body: JournalBody = entry.body;
    switch (body.kind) {
      case 'hold_placed':
        applyEntry(this.state, entry);
        this.indexPlaced(body.hold);
        return;
      case 'hold_released':
      case 'hold_confirmed': {
        // Looked up once, here; applyEntry asserts it exists when none is found.
        const hold = this.state.holds.get(body.holdId);
        applyEntry(this.state, entry, hold);
        this.indexClosed(hold!, body.kind === 'hold_confirmed' ? 'confirmed' : body.reason);
        return;
      }
      case 'capacity_changed':
      case 'tickets_refunded':
        applyEntry(this.state, entry);
        return;
    }
  }

  private indexPlaced(hold: Hold): void {
    this.heap.push(hold);
    // Lazy deletion leaves closed holds in the heap; rebuild before they outnumber the live ones.
    if (this.heap.size > 2 * this.state.holds.size + 1024) this.heap.rebuild(this.state.holds.values());
    if (hold.key !== null) {
      const slot = this.answers.placed(hold, hold.basket === undefined ? null : [holdRecord(hold)]);
      this.openAnswers.set(hold.holdId, slot);
    } else if (hold.basket !== undefined) {
      // The rest of a keyed basket joins its first hold's answer (placed just before, in the same command).
      const slot = this.openAnswers.get(hold.basket);
      if (slot !== undefined) this.answers.basketAt(slot)?.push(holdRecord(hold));
    }
  }

  private indexClosed(hold: Hold, status: ClosedStatus): void {
    this.closed.add(hold, status);
    if (hold.key === null) return;
    const slot = this.openAnswers.get(hold.holdId);
    if (slot === undefined) return;
    this.answers.closed(slot, hold.holdId, status);
    this.openAnswers.delete(hold.holdId);
  }

  /** Holds the heap says are due; the handler skips those already gone. */
  private due(now: number): Hold[] {
    const due: Hold[] = [];
    for (let top = this.heap.peek(); top !== undefined && top.expiresAt <= now; top = this.heap.peek()) {
      due.push(this.heap.pop()!);
    }
    return due;
  }

  private check(): void {
    const types = this.typeList;
    for (let i = 0; i < types.length; i++) checkType(types[i]!);
    if (this.deepChecks) this.checkDeep();
  }

  private checkDeep(): void {
    checkInvariant(this.state, true);
    assert(this.typeList.length === this.state.types.size, 'the type list must follow the state');
    const inHeap = new Set(this.heap.contents());
    for (const hold of this.state.holds.values()) {
      assert(inHeap.has(hold), `hold ${hold.holdId} is missing from the expiry heap`);
      if (hold.key === null) continue;
      const slot = this.answers.slotOf(hold.key, hold.buyer);
      assert(this.answers.holdIdAt(slot) === hold.holdId && this.openAnswers.get(hold.holdId) === slot, `hold ${hold.holdId}: its key must lead to it`);
    }
    for (const slot of this.openAnswers.values()) assert(this.answers.statusAt(slot) === 'held', 'a closed hold left among the open answers');
  }
}

/** A basket's items in one comparable string: `type*qty`, in the basket's order. */
function basketItems(items: readonly { typeId: string; qty: number }[]): string {
  return items.map((item) => `${item.typeId}*${item.qty}`).join(' ');
}

/** A hold's fields an answer keeps (not the hold itself, see `KeyAnswer`). */
function holdRecord(hold: Hold): HoldRecord {
  return { holdId: hold.holdId, typeId: hold.typeId, qty: hold.qty, buyer: hold.buyer, price: hold.price, expiresAt: hold.expiresAt };
}

/** A hold past its time is expired even before the timer releases it: it can no longer be confirmed. */
function statusOf(hold: HoldRecord, now: number): HoldView['status'] {
  return hold.expiresAt <= now ? 'expired' : 'held';
}

const keyReused: Refusal = Object.freeze({ ok: false, reason: 'idempotency_key_reused', detail: 'this key was used for another ticket type or quantity' });
