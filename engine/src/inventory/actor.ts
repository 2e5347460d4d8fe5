import { assert } from '../assert.ts';
import { idempotencyKeysMax, idempotencyTtlMs } from '../constants.ts';
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
  toSnapshot,
  type Handled,
} from './apply.ts';
import { changeCapacity } from './commands/change_capacity.ts';
import { confirmHold } from './commands/confirm_hold.ts';
import { expireHolds } from './commands/expire_holds.ts';
import { placeBasket } from './commands/place_basket.ts';
import { placeHold } from './commands/place_hold.ts';
import { refundTickets } from './commands/refund_tickets.ts';
import { releaseHold } from './commands/release_hold.ts';
import { ExpiryHeap } from './expiry_heap.ts';
import { newHoldId, newTicketId, type Ids } from './ids.ts';
import { ClosedHolds, Recent, type ClosedStatus } from './recent.ts';
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
  /** Hold ids; default `newHoldId(eventId)`. */
  newId?: () => string;
  /** Ticket ids; default a random UUID. */
  newTicketId?: () => string;
  /** Also recount every hold and buyer after each write, O(holds): tests and debugging only. */
  deepChecks?: boolean;
};

export type Handling = { outcome: Outcome; entries: JournalEntry[] };

/**
 * What the actor remembers under an idempotency key: the hold the first
 * attempt made (open or since closed; `status` follows it), or its refusal.
 * Refusals are not journaled, so a retry after a crash may get a fresh answer.
 * A basket's answer also lists its holds (`hold` is the first; `status`
 * follows that one); a refused basket has an empty list, and `typeId` then
 * holds the basket's items as `basketItems` spells them.
 */
type KeyAnswer = { at: number; typeId: string; qty: number; hold: Hold | null; status: HoldView['status']; refusal: Refusal | null; basket: Hold[] | null };

/**
 * Closed holds `getHold` can still describe (how they ended). A ring written on
 * every close and scanned on the rare read: a Map of recent closes would cost
 * more than the rest of a release (its entries outlive the young generation).
 * Older history is in the journal, indexed by hold id. Belongs in constants.ts
 * once that file's owner takes it.
 */
const closedHoldsMax = 4_096;

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
   * Answers by scoped key. An open hold's key is pinned (never dropped), so a
   * retry never makes a second hold; the rest are kept at most
   * `idempotencyKeysMax`, at most `idempotencyTtlMs`.
   */
  private readonly answers = new Recent<KeyAnswer>(idempotencyKeysMax, idempotencyTtlMs, (answer) => answer.hold !== null && answer.status === 'held');
  /** The answers of open keyed holds by hold id: small, so closing a hold finds its answer cheaply. */
  private readonly openAnswers = new Map<string, KeyAnswer>();
  private readonly closed = new ClosedHolds(closedHoldsMax);
  /** The state's types, for the O(types) check after every write without iterating a Map. */
  private typeList: TypeState[] = [];

  private constructor(state: Inventory, opts: ActorOptions) {
    this.state = state;
    this.eventId = state.config.eventId;
    const eventId = this.eventId;
    this.ids = {
      newHoldId: opts.newId ?? (() => newHoldId(eventId)),
      newTicketId: opts.newTicketId ?? newTicketId,
    };
    this.deepChecks = opts.deepChecks ?? false;
    this.typeList = [...state.types.values()];
    for (const hold of state.holds.values()) this.indexPlaced(hold, null);
  }

  static create(config: EventConfig, opts: ActorOptions = {}): InventoryActor {
    return new InventoryActor(emptyInventory(config), opts);
  }

  /** Rebuilds an actor from its latest snapshot (or none) and the journal entries after it. */
  static restore(config: EventConfig, snapshot: SnapshotState | null, entries: JournalEntry[], opts: ActorOptions = {}): InventoryActor {
    const state = snapshot === null ? emptyInventory(config) : fromSnapshot(config, snapshot);
    const actor = new InventoryActor(state, opts);
    for (const entry of entries) if (entry.seq > state.seq) actor.commitEntry(entry, null);
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
    const scoped = scopedKey(cmd.buyer, cmd.key);
    const answer = this.answers.get(scoped, now);
    if (answer !== undefined) return { outcome: this.answerAgain(answer, cmd, now), entries: [] };
    const handled = placeHold(this.state, cmd, now, this.ids);
    // A hold's answer is recorded when its entry is applied (indexPlaced), live or replayed.
    if (!handled.outcome.ok) {
      this.answers.set(scoped, { at: now, typeId: cmd.typeId, qty: cmd.qty, hold: null, status: 'held', refusal: handled.outcome, basket: null }, now);
    }
    return this.write(handled, scoped);
  }

  /** Like `placeHold`; a retry under the same key answers the whole basket, or its refusal. */
  private placeBasket(cmd: PlaceBasket, now: number): Handling {
    if (cmd.key === null) return this.write(placeBasket(this.state, cmd, now, this.ids));
    const scoped = scopedKey(cmd.buyer, cmd.key);
    const answer = this.answers.get(scoped, now);
    if (answer !== undefined) return { outcome: this.answerBasketAgain(answer, cmd, now), entries: [] };
    const handled = placeBasket(this.state, cmd, now, this.ids);
    if (!handled.outcome.ok) {
      const items = basketItems(cmd.items);
      this.answers.set(scoped, { at: now, typeId: items, qty: 0, hold: null, status: 'held', refusal: handled.outcome, basket: [] }, now);
    }
    return this.write(handled, scoped);
  }

  private answerBasketAgain(answer: KeyAnswer, cmd: PlaceBasket, now: number): Outcome {
    const items = basketItems(cmd.items);
    if (answer.basket === null) return keyReused;
    if (answer.hold === null) return answer.typeId === items ? answer.refusal! : keyReused;
    if (basketItems(answer.basket) !== items) return keyReused;
    const holds = answer.basket.map((hold) => holdView(this.state.config, hold, this.statusOfAnswered(hold, answer, now)));
    return { ok: true, kind: 'basketHeld', holds };
  }

  /** Where a basket's hold stands: open, closed recently, or (forgotten) as its first hold. */
  private statusOfAnswered(hold: Hold, answer: KeyAnswer, now: number): HoldView['status'] {
    if (this.state.holds.get(hold.holdId) === hold) return statusOf(hold, now);
    if (hold === answer.hold) return answer.status;
    return this.closed.find(hold.holdId)?.status ?? 'released';
  }

  private answerAgain(answer: KeyAnswer, cmd: PlaceHold, now: number): Outcome {
    if (answer.basket !== null || answer.typeId !== cmd.typeId || answer.qty !== cmd.qty) return keyReused;
    if (answer.hold === null) return answer.refusal!;
    const status = answer.status === 'held' ? statusOf(answer.hold, now) : answer.status;
    return { ok: true, kind: 'held', hold: holdView(this.state.config, answer.hold, status) };
  }

  private getHold(cmd: GetHold, now: number): Outcome {
    const hold = this.state.holds.get(cmd.holdId);
    if (hold !== undefined) return { ok: true, kind: 'hold', hold: holdView(this.state.config, hold, statusOf(hold, now)) };
    const closed = this.closed.find(cmd.holdId);
    if (closed !== undefined) return { ok: true, kind: 'hold', hold: holdView(this.state.config, closed.hold, closed.status) };
    return refusal('hold_not_found');
  }

  /** Numbers a handler's bodies, applies them, and checks the invariant once. */
  private write(handled: Handled, scoped: string | null = null): Handling {
    const bodies = handled.entries;
    const entries: JournalEntry[] = [];
    for (let i = 0; i < bodies.length; i++) {
      const entry: JournalEntry = { eventId: this.eventId, seq: this.state.seq + 1, body: bodies[i]! };
      this.commitEntry(entry, scoped);
      entries.push(entry);
    }
    if (entries.length > 0) this.check();
    return { outcome: handled.outcome, entries };
  }

  /** The one path for an entry, live or replayed: apply it, then update the indexes. */
  private commitEntry(entry: JournalEntry, scoped: string | null): void {
    const body: JournalBody = entry.body;
    switch (body.kind) {
      case 'hold_placed':
        applyEntry(this.state, entry);
        this.indexPlaced(body.hold, scoped);
        return;
      case 'hold_released':
      case 'hold_confirmed': {
        const hold = this.state.holds.get(body.holdId);
        applyEntry(this.state, entry);
        // applyEntry asserted the hold existed.
        this.indexClosed(hold!, body.kind === 'hold_confirmed' ? 'confirmed' : body.reason);
        return;
      }
      case 'capacity_changed':
      case 'tickets_refunded':
        applyEntry(this.state, entry);
        return;
    }
  }

  /** `scoped` is the hold's scoped key when the caller has it already, else null. */
  private indexPlaced(hold: Hold, scoped: string | null): void {
    this.heap.push(hold);
    // Lazy deletion leaves closed holds in the heap; rebuild before they outnumber the live ones.
    if (this.heap.size > 2 * this.state.holds.size + 1024) this.heap.rebuild(this.state.holds.values());
    if (hold.key !== null) {
      const basket = hold.basket === undefined ? null : [hold];
      const answer: KeyAnswer = { at: hold.placedAt, typeId: hold.typeId, qty: hold.qty, hold, status: 'held', refusal: null, basket };
      this.answers.set(scoped ?? scopedKey(hold.buyer, hold.key), answer, hold.placedAt);
      this.openAnswers.set(hold.holdId, answer);
    } else if (hold.basket !== undefined) {
      // The rest of a keyed basket joins its first hold's answer (placed just before, in the same command).
      this.openAnswers.get(hold.basket)?.basket?.push(hold);
    }
  }

  private indexClosed(hold: Hold, status: ClosedStatus): void {
    this.closed.add(hold, status);
    if (hold.key === null) return;
    const answer = this.openAnswers.get(hold.holdId);
    if (answer === undefined) return;
    answer.status = status;
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
      const answer = this.answers.peek(scopedKey(hold.buyer, hold.key));
      assert(answer?.hold === hold && this.openAnswers.get(hold.holdId) === answer, `hold ${hold.holdId}: its key must lead to it`);
    }
    for (const answer of this.openAnswers.values()) assert(answer.status === 'held', 'a closed hold left among the open answers');
  }
}

/** Idempotency keys are the client's; two buyers may pick the same one. */
function scopedKey(buyer: string, key: string): string {
  return buyer + '\u0000' + key;
}

/** A basket's items in one comparable string: `type*qty`, in the basket's order. */
function basketItems(items: readonly { typeId: string; qty: number }[]): string {
  return items.map((item) => `${item.typeId}*${item.qty}`).join(' ');
}

/** A hold past its time is expired even before the timer releases it: it can no longer be confirmed. */
function statusOf(hold: Hold, now: number): HoldView['status'] {
  return hold.expiresAt <= now ? 'expired' : 'held';
}

const keyReused: Refusal = Object.freeze({ ok: false, reason: 'idempotency_key_reused', detail: 'this key was used for another ticket type or quantity' });
