/**
 * The queue actor's vocabulary: drop settings, the commands the edge sends to
 * the worker that hosts a drop, and their answers. A queue command travels
 * like an inventory command (same worker, same forwarding between nodes) as
 * `{ kind: 'queue', eventId, op }` and comes back as `{ ok: true, kind: 'queue', answer }`.
 */

/** The organizer's settings of one drop. Sale start and the per-buyer limit are the event's own. */
export type DropSettings = {
  queueEnabled: boolean;
  /** Epoch ms; null: the waiting room is open as soon as the queue is on. */
  waitingRoomOpensAt: number | null;
  ratePerMinute: number | 'auto';
  /** How long an admission lasts once the head passes a place; an admission token never outlives it. */
  admissionTokenTtlMs: number;
  powBits: number;
  paused: boolean;
  /**
   * What a buyer needs to hold (#11). A union so that `verified_phone` can be
   * added when SMS verification exists; checked at the edge's hold route.
   */
  holdRequires: HoldRequirement;
  /** The stock one client address may hold at once; null: no cap (the default). */
  holdsPerAddressMax: number | null;
};

export const holdRequirements = ['account', 'verified_email'] as const;
export type HoldRequirement = (typeof holdRequirements)[number];

/** The lottery's seed, made once per drop; the commitment is published before anyone joins. */
export type LotterySecret = { seedHex: string; commitment: string };

export type QueueOp =
  | { type: 'join'; buyer: string }
  | { type: 'status' }
  /** May the holder of `place` be admitted now? Answers until when. */
  | { type: 'admit'; place: number }
  | { type: 'configure'; settings: DropSettings; secret: LotterySecret };

export type QueueCommand = { kind: 'queue'; eventId: string; op: QueueOp };

export type QueueState = 'closed' | 'waiting' | 'open' | 'all_held' | 'paused' | 'sold_out';

/** What a tick tells every waiter of a drop; each computes its own wait from its place. */
export type QueueStatus = {
  eventId: string;
  state: QueueState;
  /** Every place at or below the head is admitted. */
  head: number;
  /** Places given out so far (0 before the lottery is drawn). */
  placed: number;
  /** Arrivals so far, drawn or not. */
  joined: number;
  drawn: boolean;
  stockLeft: number;
  /** Estimated milliseconds each place ahead adds to a wait; null when the head is not moving. */
  msPerPlace: number | null;
  ratePerMinute: number;
  /** When the head last moved (epoch ms), or null: what tick delivery delays are measured from. */
  headMovedAt: number | null;
  saleStartsAt: number | null;
  waitingRoomOpensAt: number | null;
  at: number;
};

export type QueueRefusal =
  | 'queue_off'
  | 'waiting_room_closed'
  | 'queue_full'
  | 'not_admitted_yet'
  | 'admission_lapsed'
  | 'sold_out'
  | 'paused'
  | 'not_drawn';

export type QueueAnswer =
  | { ok: false; reason: QueueRefusal; status: QueueStatus | null }
  | { ok: true; type: 'joined'; seq: number; queueTicketId: string; place: number | null; joinedAt: number; again: boolean; status: QueueStatus }
  | { ok: true; type: 'status'; status: QueueStatus }
  | { ok: true; type: 'admitted'; admissionEndsAt: number; perBuyerLimit: number }
  | { ok: true; type: 'configured'; status: QueueStatus };
