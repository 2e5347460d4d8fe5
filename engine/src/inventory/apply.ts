import { assert } from '../assert.ts';
import { capacityMax, holdQuantityMax } from '../constants.ts';
import { IdMap } from './id_map.ts';
import type {
  EventConfig,
  Hold,
  HoldView,
  Inventory,
  JournalBody,
  JournalEntry,
  Outcome,
  Reason,
  Refusal,
  SnapshotState,
  TypeAvailability,
  TypeState,
} from './types.ts';

/**
 * The one place inventory state changes. Live commands and recovery both go
 * through `apply`: a handler decides, returning journal bodies; the actor
 * numbers them and applies them here; replay applies the stored ones here too.
 * So what recovery rebuilds is, by construction, what the live actor had.
 */

/**
 * What a handler answers: the outcome, and the journal bodies to apply
 * (possibly none), in an array made for this answer alone: the actor numbers
 * the bodies in place, turning the array into its journal entries.
 */
export type Handled = { outcome: Outcome; entries: JournalBody[] };

const refusals = new Map<Reason, Refusal>();

/** The refusal for `reason`: shared and frozen, so answering one allocates nothing. */
export function refusal(reason: Reason): Refusal {
  let outcome = refusals.get(reason);
  if (outcome === undefined) {
    outcome = Object.freeze({ ok: false, reason });
    refusals.set(reason, outcome);
  }
  return outcome;
}

/** A handler's answer when it refuses: nothing to journal. */
export function refused(reason: Reason): Handled {
  return { outcome: refusal(reason), entries: [] };
}

export function emptyInventory(config: EventConfig): Inventory {
  const state: Inventory = { config, types: new Map(), holds: new IdMap(), perBuyer: new Map(), perAddress: new Map(), seq: 0, refunded: new Set() };
  applyConfig(state, config);
  return state;
}

/**
 * Takes new settings: prices, limit, TTL, sale window. Capacities stay as the
 * journal made them (they change through `capacity_changed` only); a type new
 * to the config starts empty. A type dropped from the config stays while it
 * has tickets sold or held, since those still count; an empty one goes.
 * Config is not journaled: recovery reads it from Postgres as well.
 */
export function applyConfig(state: Inventory, config: EventConfig): void {
  assert(config.eventId === state.config.eventId, 'reconfigure must keep the event id');
  const listed = new Set<string>();
  for (const typeConfig of config.types) {
    assert(!listed.has(typeConfig.typeId), `ticket type ${typeConfig.typeId} is listed twice`);
    listed.add(typeConfig.typeId);
    const type = state.types.get(typeConfig.typeId);
    if (type === undefined) {
      assert(isCount(typeConfig.capacity) && typeConfig.capacity <= capacityMax, 'capacity out of range');
      state.types.set(typeConfig.typeId, {
        typeId: typeConfig.typeId,
        price: typeConfig.price,
        capacity: typeConfig.capacity,
        sold: 0,
        held: 0,
      });
    } else {
      type.price = typeConfig.price;
    }
  }
  for (const type of state.types.values()) {
    if (!listed.has(type.typeId) && type.sold === 0 && type.held === 0) state.types.delete(type.typeId);
  }
  state.config = config;
}

/**
 * `known` is the hold a release or confirmation names, when the caller has
 * just looked it up (the actor has, to index its closing): one Map lookup less
 * per closed hold. Recovery passes none.
 */
export function apply(state: Inventory, body: JournalBody, known?: Hold): void {
  switch (body.kind) {
    case 'hold_placed': {
      const hold = body.hold;
      assert(isCount(hold.qty) && hold.qty >= 1 && hold.qty <= holdQuantityMax, 'hold quantity out of range');
      const type = typeOf(state, hold.typeId);
      const holdsBefore = state.holds.size;
      state.holds.set(hold.holdId, hold);
      // Checked by size rather than a lookup first: one Map operation fewer per hold.
      assert(state.holds.size === holdsBefore + 1, 'hold id placed twice');
      type.held += hold.qty;
      state.perBuyer.set(hold.buyer, (state.perBuyer.get(hold.buyer) ?? 0) + hold.qty);
      if (hold.address !== undefined) state.perAddress.set(hold.address, (state.perAddress.get(hold.address) ?? 0) + hold.qty);
      return;
    }
    case 'hold_released': {
      const hold = known ?? holdOf(state, body.holdId);
      if (hold.holdId !== body.holdId) assert(false, 'apply was handed another hold than its entry names');
      typeOf(state, hold.typeId).held -= hold.qty;
      state.holds.delete(hold.holdId);
      const count = state.perBuyer.get(hold.buyer)! - hold.qty;
      assert(count >= 0, 'per-buyer count below zero');
      if (count === 0) state.perBuyer.delete(hold.buyer);
      else state.perBuyer.set(hold.buyer, count);
      unholdAddress(state, hold);
      return;
    }
    case 'hold_confirmed': {
      const hold = known ?? holdOf(state, body.holdId);
      if (hold.holdId !== body.holdId) assert(false, 'apply was handed another hold than its entry names');
      assert(body.ticketIds.length === hold.qty, 'one ticket per held seat');
      const type = typeOf(state, hold.typeId);
      type.held -= hold.qty;
      type.sold += hold.qty;
      state.holds.delete(hold.holdId);
      // The buyer's count stays: the tickets move from held to bought. The address's goes: it counts what is held.
      unholdAddress(state, hold);
      return;
    }
    case 'capacity_changed': {
      assert(isCount(body.capacity) && body.capacity <= capacityMax, 'capacity out of range');
      typeOf(state, body.typeId).capacity = body.capacity;
      return;
    }
    case 'tickets_refunded': {
      assert(!state.refunded.has(body.holdId), 'tickets of a hold refunded twice');
      const type = typeOf(state, body.typeId);
      assert(isCount(body.qty) && body.qty >= 1 && type.sold >= body.qty, 'refund of more tickets than sold');
      type.sold -= body.qty;
      const count = (state.perBuyer.get(body.buyer) ?? 0) - body.qty;
      assert(count >= 0, 'per-buyer count below zero');
      if (count === 0) state.perBuyer.delete(body.buyer);
      else state.perBuyer.set(body.buyer, count);
      state.refunded.add(body.holdId);
      return;
    }
  }
}

/** A hold closed (released, expired or sold): its address holds that much less. */
function unholdAddress(state: Inventory, hold: Hold): void {
  if (hold.address === undefined) return;
  const count = state.perAddress.get(hold.address)! - hold.qty;
  assert(count >= 0, 'per-address count below zero');
  if (count === 0) state.perAddress.delete(hold.address);
  else state.perAddress.set(hold.address, count);
}

/** Applies a numbered entry; entries must come one after another. */
export function applyEntry(state: Inventory, entry: JournalEntry, known?: Hold): void {
  assert(entry.eventId === state.config.eventId, 'journal entry of another event');
  if (entry.seq !== state.seq + 1) assert(false, `journal gap: expected seq ${state.seq + 1}, got ${entry.seq}`);
  apply(state, entry.body, known);
  state.seq = entry.seq;
}

/** Rebuilds state from a snapshot (or none) and the journal; entries the snapshot covers are skipped. */
export function restore(config: EventConfig, snapshot: SnapshotState | null, entries: JournalEntry[]): Inventory {
  const state = snapshot === null ? emptyInventory(config) : fromSnapshot(config, snapshot);
  for (const entry of entries) {
    if (entry.seq > state.seq) applyEntry(state, entry);
  }
  return state;
}

/**
 * A snapshot type the config no longer lists keeps its counts (and price 0);
 * `placeHold` sells only listed types, so it is never sold at that price.
 */
export function fromSnapshot(config: EventConfig, snapshot: SnapshotState): Inventory {
  const state: Inventory = { config, types: new Map(), holds: new IdMap(), perBuyer: new Map(), perAddress: new Map(), seq: snapshot.seq, refunded: new Set(snapshot.refunded ?? []) };
  for (const saved of snapshot.types) {
    state.types.set(saved.typeId, { typeId: saved.typeId, price: 0, capacity: saved.capacity, sold: saved.sold, held: 0 });
  }
  for (const [buyer, count] of snapshot.bought) {
    assert(isCount(count) && count > 0, 'bought count must be positive');
    state.perBuyer.set(buyer, count);
  }
  for (const hold of snapshot.holds) apply(state, { kind: 'hold_placed', hold });
  // After the holds, so a type that still has holds is not dropped as empty.
  applyConfig(state, config);
  checkInvariant(state, true);
  return state;
}

/**
 * The state's image at its seq, in arrays of its own: the shard worker encodes
 * it later, across event-loop turns, while the actor moves on. The holds are
 * the state's own objects, not copies: a hold is never changed once placed
 * (`apply` only adds and deletes them), and copying 100k of them took tens of
 * ms of the worker's thread.
 */
export function toSnapshot(state: Inventory): SnapshotState {
  // Bought = counted - held, per buyer: one Map lookup a hold (a counter per buyer), in the same pass that lists the holds.
  const counts = new Map<string, { n: number }>();
  for (const [buyer, n] of state.perBuyer) counts.set(buyer, { n });
  const holds = new Array<Hold>(state.holds.size);
  let i = 0;
  for (const hold of state.holds.values()) {
    holds[i++] = hold;
    counts.get(hold.buyer)!.n -= hold.qty;
  }
  const bought: SnapshotState['bought'] = [];
  for (const [buyer, count] of counts) if (count.n > 0) bought.push([buyer, count.n]);
  const types: SnapshotState['types'] = [];
  for (const type of state.types.values()) types.push({ typeId: type.typeId, capacity: type.capacity, sold: type.sold });
  return { seq: state.seq, types, holds, bought, refunded: [...state.refunded] };
}

/**
 * The invariant money depends on. The quick check is O(types) and runs after
 * every write; `deep` also recounts holds and buyers, O(holds), for tests and debugging.
 */
export function checkInvariant(state: Inventory, deep = false): void {
  for (const type of state.types.values()) checkType(type);
  if (deep) checkCounts(state);
}

export function checkType(type: TypeState): void {
  // The message is built only on failure: this runs after every write.
  if (!(type.sold >= 0 && type.held >= 0 && type.sold + type.held <= type.capacity)) {
    assert(false, `ticket type ${type.typeId}: sold ${type.sold} + held ${type.held} must stay within capacity ${type.capacity}`);
  }
}

function checkCounts(state: Inventory): void {
  const heldByType = new Map<string, number>();
  const heldByBuyer = new Map<string, number>();
  for (const hold of state.holds.values()) {
    assert(state.types.has(hold.typeId), `hold ${hold.holdId} of unknown type`);
    heldByType.set(hold.typeId, (heldByType.get(hold.typeId) ?? 0) + hold.qty);
    heldByBuyer.set(hold.buyer, (heldByBuyer.get(hold.buyer) ?? 0) + hold.qty);
  }
  let sold = 0;
  for (const type of state.types.values()) {
    assert(isCount(type.sold) && isCount(type.held) && isCount(type.capacity), `ticket type ${type.typeId}: counts must be integers`);
    assert(type.held === (heldByType.get(type.typeId) ?? 0), `ticket type ${type.typeId}: held must equal the holds' quantities`);
    sold += type.sold;
  }
  let bought = 0;
  for (const [buyer, count] of state.perBuyer) {
    const held = heldByBuyer.get(buyer) ?? 0;
    assert(isCount(count) && count > 0 && count >= held, `buyer ${buyer}: count ${count} must cover the ${held} held`);
    bought += count - held;
  }
  for (const buyer of heldByBuyer.keys()) assert(state.perBuyer.has(buyer), `buyer ${buyer} holds tickets but has no count`);
  checkAddressCounts(state);
  assert(bought === sold, `tickets bought per buyer (${bought}) must add up to tickets sold (${sold})`);
}

function checkAddressCounts(state: Inventory): void {
  const heldByAddress = new Map<string, number>();
  for (const hold of state.holds.values()) {
    if (hold.address !== undefined) heldByAddress.set(hold.address, (heldByAddress.get(hold.address) ?? 0) + hold.qty);
  }
  assert(heldByAddress.size === state.perAddress.size, 'every address with a count holds tickets');
  for (const [address, held] of heldByAddress) {
    assert(state.perAddress.get(address) === held, `address ${address}: count ${state.perAddress.get(address)} must equal the ${held} held`);
  }
}

export function availabilityOf(type: TypeState): TypeAvailability {
  return {
    typeId: type.typeId,
    capacity: type.capacity,
    sold: type.sold,
    held: type.held,
    available: type.capacity - type.sold - type.held,
    price: type.price,
  };
}

export function availability(state: Inventory): TypeAvailability[] {
  const list: TypeAvailability[] = [];
  for (const type of state.types.values()) list.push(availabilityOf(type));
  return list;
}

/** The fields of a hold that outlive it, for answering about it once it has closed. */
export type HoldRecord = Pick<Hold, 'holdId' | 'typeId' | 'qty' | 'buyer' | 'price' | 'expiresAt'>;

export function holdView(config: EventConfig, hold: HoldRecord, status: HoldView['status']): HoldView {
  return {
    holdId: hold.holdId,
    eventId: config.eventId,
    typeId: hold.typeId,
    qty: hold.qty,
    buyer: hold.buyer,
    price: hold.price,
    currency: config.currency,
    status,
    expiresAt: hold.expiresAt,
  };
}

function typeOf(state: Inventory, typeId: string): TypeState {
  const type = state.types.get(typeId);
  if (type === undefined) assert(false, `journal names unknown ticket type ${typeId}`);
  return type;
}

function holdOf(state: Inventory, holdId: string): Hold {
  const hold = state.holds.get(holdId);
  if (hold === undefined) assert(false, `journal names unknown hold ${holdId}`);
  return hold;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}
