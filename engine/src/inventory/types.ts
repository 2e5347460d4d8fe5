/**
 * The inventory actor's vocabulary: its state, the commands it takes, the
 * outcomes it answers and the journal entries it writes. Handlers are pure
 * functions over these types; the actor (actor.ts) owns dispatch, the
 * invariant check and idempotency.
 */

import type { QueueAnswer, QueueCommand } from '../queue/types.ts';
import type { IdMap } from './id_map.ts';

/** Event settings the actor needs; loaded from Postgres, refreshed on PATCH. */
export type EventConfig = {
  eventId: string;
  shard: number;
  currency: string;
  perBuyerLimit: number;
  holdTtlMs: number;
  /** Epoch milliseconds; null means "no bound". */
  saleStartsAt: number | null;
  saleEndsAt: number | null;
  types: TypeConfig[];
  /** A draft sells nothing: holds answer event_not_found, as the edge answers anyone but its organizer. */
  draft?: true;
  /** Cancelled by its organizer (#15): no new holds, no confirmations; set once, never cleared. */
  cancelled?: true;
};

export type TypeConfig = {
  typeId: string;
  /** Minor units of the event's currency. */
  price: number;
  /** Capacity as created; the journal's capacity changes override it. */
  capacity: number;
  /** Retired by the organizer: listed, so its tickets still count (and its journal replays), but no longer sold. */
  retired?: true;
};

export type TypeState = {
  typeId: string;
  price: number;
  capacity: number;
  sold: number;
  held: number;
};

export type Hold = {
  holdId: string;
  typeId: string;
  qty: number;
  buyer: string;
  /** Price per ticket, fixed when the hold was placed. */
  price: number;
  placedAt: number;
  expiresAt: number;
  key: string | null;
  /**
   * The client address the hold was placed from, present only while the drop
   * caps holds per address (absent, not null, so holds without it cost nothing
   * in the journal).
   */
  address?: string;
  /**
   * The basket this hold was placed in: the id of the basket's first hold
   * (itself included). Absent on a hold placed alone, so those cost nothing
   * more in the journal.
   */
  basket?: string;
};

export type Inventory = {
  config: EventConfig;
  types: Map<string, TypeState>;
  /** Open holds by id (an `IdMap`, not a Map: see why there). */
  holds: IdMap<Hold>;
  /** Tickets held or bought per buyer, counted against `perBuyerLimit`. */
  perBuyer: Map<string, number>;
  /** Tickets currently held per client address (holds that carry one), counted against a drop's `holdsPerAddressMax`. */
  perAddress: Map<string, number>;
  /** Sequence number of the last journal entry applied. */
  seq: number;
  /** Confirmed holds whose tickets were refunded (refundTickets is idempotent per hold). */
  refunded: Set<string>;
};

// ---- commands ----------------------------------------------------------

export type PlaceHold = {
  kind: 'placeHold';
  eventId: string;
  typeId: string;
  qty: number;
  buyer: string;
  /** Idempotency key as sent by the client, scoped to the buyer by the actor. */
  key: string | null;
  /** Set by the edge when a queued drop's admission token was checked (queue/host.ts: one hold per admission). */
  admitted?: boolean;
  /**
   * Set by the edge when the drop caps the stock one address may hold at once
   * (#11): the address, and the cap. The actor counts what each address holds,
   * so the cap is exact under concurrency and across expiry, release and sale.
   */
  address?: string;
  addressMax?: number;
};
/** One line of a basket: a ticket type and how many of it. */
export type BasketItem = { typeId: string; qty: number };
/**
 * Several ticket types of one event held together: one hold per type, all of
 * them or none. The per-buyer limit and the address cap count the whole
 * basket. Same idempotency, admission and address fields as `placeHold`.
 */
export type PlaceBasket = Omit<PlaceHold, 'kind' | 'typeId' | 'qty'> & { kind: 'placeBasket'; items: BasketItem[] };
export type ReleaseHold = { kind: 'releaseHold'; eventId: string; holdId: string; buyer: string | null };
export type ConfirmHold = { kind: 'confirmHold'; eventId: string; holdId: string };
export type ChangeCapacity = { kind: 'changeCapacity'; eventId: string; typeId: string; capacity: number };
export type ExpireHolds = { kind: 'expireHolds'; eventId: string };
/** Reads: answered from memory, released in order with the writes before them. */
export type GetHold = { kind: 'getHold'; eventId: string; holdId: string };
export type Snapshot = { kind: 'snapshot'; eventId: string };
/**
 * A refunded order's tickets go back on sale. The actor forgets confirmed
 * holds, so the caller says what the hold was (from Postgres); once per hold.
 */
export type RefundTickets = { kind: 'refundTickets'; eventId: string; holdId: string; typeId: string; qty: number; buyer: string };
/** The event was cancelled: every open hold goes back (its buyer's payment, if one comes, is refunded). */
export type ReleaseAllHolds = { kind: 'releaseAllHolds'; eventId: string };
/** New settings from Postgres after an organizer's PATCH (limits, TTL, sale window, prices). */
export type Reconfigure = { kind: 'reconfigure'; eventId: string; config: EventConfig };

export type Command =
  | PlaceHold
  | PlaceBasket
  | ReleaseHold
  | ConfirmHold
  | ChangeCapacity
  | ExpireHolds
  | GetHold
  | Snapshot
  | Reconfigure
  | RefundTickets
  | ReleaseAllHolds
  /** Handled by the queue host of the same worker (queue/host.ts), never by the inventory actor. */
  | QueueCommand;

// ---- outcomes ----------------------------------------------------------

/** Expected refusals: data, never exceptions. */
export type Reason =
  | 'sold_out'
  | 'limit_reached'
  | 'address_limit_reached'
  | 'hold_expired'
  | 'hold_not_found'
  | 'not_hold_owner'
  | 'sale_not_started'
  | 'sale_ended'
  | 'unknown_ticket_type'
  | 'capacity_below_committed'
  | 'idempotency_key_reused'
  | 'event_not_found'
  | 'event_cancelled'
  | 'busy'
  | 'shard_unavailable';

/** `remaining` (limit_reached from placeHold): how many more tickets the buyer may still hold or buy in this event. */
export type Refusal = { ok: false; reason: Reason; detail?: string; remaining?: number };

export type HoldView = {
  holdId: string;
  eventId: string;
  typeId: string;
  qty: number;
  buyer: string;
  price: number;
  currency: string;
  status: 'held' | 'confirmed' | 'released' | 'expired';
  expiresAt: number;
};

export type TypeAvailability = { typeId: string; capacity: number; sold: number; held: number; available: number; price: number };

export type Outcome =
  | Refusal
  | { ok: true; kind: 'held'; hold: HoldView }
  /** A basket's holds, in the order of its items. */
  | { ok: true; kind: 'basketHeld'; holds: HoldView[] }
  | { ok: true; kind: 'released'; hold: HoldView }
  | { ok: true; kind: 'confirmed'; hold: HoldView; ticketIds: string[] }
  | { ok: true; kind: 'capacityChanged'; type: TypeAvailability }
  | { ok: true; kind: 'expired'; count: number }
  | { ok: true; kind: 'hold'; hold: HoldView }
  | { ok: true; kind: 'snapshot'; eventId: string; seq: number; types: TypeAvailability[]; activeHolds: number }
  | { ok: true; kind: 'reconfigured' }
  | { ok: true; kind: 'refunded'; holdId: string; qty: number; again: boolean }
  | { ok: true; kind: 'releasedAll'; count: number }
  | { ok: true; kind: 'queue'; answer: QueueAnswer };

// ---- journal -----------------------------------------------------------

/**
 * What the actor writes for a state change. Replaying a snapshot and the
 * entries after it, in `seq` order, rebuilds the same state.
 */
export type JournalBody =
  | { kind: 'hold_placed'; hold: Hold }
  | { kind: 'hold_released'; holdId: string; reason: 'released' | 'expired' }
  | { kind: 'hold_confirmed'; holdId: string; ticketIds: string[] }
  | { kind: 'capacity_changed'; typeId: string; capacity: number }
  | { kind: 'tickets_refunded'; holdId: string; typeId: string; qty: number; buyer: string };

export type JournalEntry = { eventId: string; seq: number; body: JournalBody };

/** The durable image of an actor: enough to rebuild it without the journal before `seq`. */
export type SnapshotState = {
  seq: number;
  types: { typeId: string; capacity: number; sold: number }[];
  holds: Hold[];
  /** Tickets bought per buyer (holds are counted from `holds`). */
  bought: [buyer: string, count: number][];
  /** Holds whose tickets were refunded; absent in snapshots written before refunds existed. */
  refunded?: string[];
};
