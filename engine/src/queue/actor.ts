import { randomBytes } from 'node:crypto';
import { assert } from '../assert.ts';
import type { JournalEntry, Refusal } from '../inventory/types.ts';
import {
  admissionEndsAt,
  advance,
  effectiveRatePerMinute,
  estimatedMsPerPlace,
  holdPlaced,
  holdSold,
  join,
  newHead,
  pause,
  resume,
  setRate,
  status as headStatus,
  stockChanged,
  type HeadState,
} from './head.ts';
import { queuePlacesMax } from './limits.ts';
import { lotteryOrder, seedMatchesCommitment } from './lottery.ts';
import type { DropSettings, LotterySecret, QueueAnswer, QueueRefusal, QueueState, QueueStatus } from './types.ts';

/** One arrival, as stored in queue_places. */
export type JoinRow = { seq: number; buyer: string; queueTicketId: string; joinedAt: number };

/** What the actor changed since the host last took its writes; persisted before any answer after it. */
export type QueueWrites = { joins: JoinRow[]; drawnCount: number | null; head: number | null };

/** What survives a restart (queue/store.ts reads it back). */
export type RestoredQueue = {
  settings: DropSettings;
  secret: LotterySecret;
  drawnCount: number | null;
  head: number;
  places: JoinRow[];
};

/** The inventory's side of things, recomputed after every inventory command. */
export type StockTruth = { stockLeft: number; activeHolds: number; perBuyerLimit: number; saleStartsAt: number | null };

const limitPerAdmission: Refusal = Object.freeze({
  ok: false,
  reason: 'limit_reached',
  detail: 'an admission buys one hold on a queued drop; finish or release it before the admission token lapses',
});

/**
 * The queue of one drop, living beside its inventory actor in the same worker.
 * Pure apart from the ticket ids it draws: the clock comes in as `now`.
 *
 * Arrivals before sale start get a sequence number only; at sale start the
 * lottery (lottery.ts) orders them into places 1..n, and every later arrival
 * takes place n + k = its sequence number (FIFO). The head (head.ts) only
 * moves over places given out, so nobody is admitted before the draw.
 */
export class QueueActor {
  readonly eventId: string;
  settings: DropSettings;
  private seed: Buffer;
  private commitment: string;
  private readonly seqOfBuyer = new Map<string, number>();
  /** Queue ticket ids in join order: index seq - 1. */
  private readonly ids: string[] = [];
  private drawnCount: number | null;
  /** Lottery places of the arrivals before the draw: index seq - 1. */
  private lotteryPlaces: Int32Array = new Int32Array(0);
  private headState: HeadState;
  /** Buyers whose one admitted hold was placed, with its idempotency key (a retry of it passes). */
  private readonly admittedHolds = new Map<string, string | null>();
  private writes: QueueWrites = { joins: [], drawnCount: null, head: null };
  private saleStartsAt: number | null;
  private headMovedAt: number | null = null;

  constructor(eventId: string, restored: RestoredQueue, truth: StockTruth, now: number, private readonly newTicketId: () => string = defaultTicketId) {
    this.eventId = eventId;
    this.settings = restored.settings;
    this.seed = Buffer.from(restored.secret.seedHex, 'hex');
    this.commitment = restored.secret.commitment;
    assert(seedMatchesCommitment(this.seed, this.commitment), 'the lottery seed matches its commitment');
    this.saleStartsAt = truth.saleStartsAt;
    for (const row of restored.places) {
      assert(row.seq === this.ids.length + 1, 'queue places are dense from 1');
      this.ids.push(row.queueTicketId);
      this.seqOfBuyer.set(row.buyer, row.seq);
    }
    this.drawnCount = null;
    // A head at 1 stock never starts sold out; the truth follows at once.
    const fresh = newHead({ now, stockLeft: 1, perBuyerLimit: truth.perBuyerLimit, ratePerMinute: restored.settings.ratePerMinute, admissionWindowMs: restored.settings.admissionTokenTtlMs });
    this.headState = stockChanged({ ...fresh, activeHolds: truth.activeHolds }, truth.stockLeft);
    if (restored.settings.paused) this.headState = pause(this.headState);
    if (restored.drawnCount !== null) {
      this.applyDraw(restored.drawnCount);
      this.headState = { ...this.headState, joined: this.ids.length };
      this.resumeHead(Math.min(restored.head, this.ids.length), now);
    }
  }

  get head(): HeadState {
    return this.headState;
  }

  get drawn(): boolean {
    return this.drawnCount !== null;
  }

  /**
   * After a restart the admission windows are unknown: everyone up to the saved
   * head gets a fresh window, counted as waiting up to what the stock serves,
   * so the count runs high for a while, never low (see head.ts).
   */
  private resumeHead(head: number, now: number): void {
    if (head === 0) return;
    const waiting = Math.min(head, Math.ceil(this.headState.stockLeft / this.headState.perBuyerLimit));
    this.headState = { ...this.headState, head, waiting, batches: [{ fromPlace: 1, toPlace: head, admittedAt: now, waiting }] };
  }

  takeWrites(): QueueWrites | null {
    const w = this.writes;
    if (w.joins.length === 0 && w.drawnCount === null && w.head === null) return null;
    this.writes = { joins: [], drawnCount: null, head: null };
    return w;
  }

  placeOf(seq: number): number | null {
    if (this.drawnCount === null) return null;
    return seq <= this.drawnCount ? this.lotteryPlaces[seq - 1]! : seq;
  }

  join(buyer: string, now: number): QueueAnswer {
    const closed = this.closedReason(now);
    if (closed !== null) return this.refuse(closed, now);
    const known = this.seqOfBuyer.get(buyer);
    if (known !== undefined) return this.joined(known, now, true);
    if (this.headState.soldOut) return this.refuse('sold_out', now);
    if (this.ids.length >= queuePlacesMax) return this.refuse('queue_full', now);
    const seq = this.ids.length + 1;
    const queueTicketId = this.newTicketId();
    this.ids.push(queueTicketId);
    this.seqOfBuyer.set(buyer, seq);
    if (this.drawnCount !== null) {
      const joined = join(this.headState);
      assert(joined.place === seq, 'after the draw a place is its sequence number');
      this.headState = joined.state;
    }
    this.writes.joins.push({ seq, buyer, queueTicketId, joinedAt: now });
    return this.joined(seq, now, false);
  }

  private joined(seq: number, now: number, again: boolean): QueueAnswer {
    return { ok: true, type: 'joined', seq, queueTicketId: this.ids[seq - 1]!, place: this.placeOf(seq), joinedAt: now, again, status: this.status(now) };
  }

  admit(place: number, now: number): QueueAnswer {
    if (!this.settings.queueEnabled) return this.refuse('queue_off', now);
    if (this.drawnCount === null) return this.refuse('not_drawn', now);
    if (this.headState.soldOut) return this.refuse('sold_out', now);
    if (place > this.headState.head) return this.refuse('not_admitted_yet', now);
    const endsAt = admissionEndsAt(this.headState, place);
    if (endsAt === undefined || endsAt <= now) return this.refuse('admission_lapsed', now);
    return { ok: true, type: 'admitted', admissionEndsAt: endsAt, perBuyerLimit: this.headState.perBuyerLimit };
  }

  configure(settings: DropSettings, secret: LotterySecret, now: number): QueueAnswer {
    // The seed is made once; a configure carrying another one is a bug upstream.
    assert(secret.commitment === this.commitment, 'the lottery commitment never changes');
    this.tick(now);
    let head = this.headState;
    if (settings.ratePerMinute !== head.ratePerMinute) head = setRate(head, settings.ratePerMinute);
    if (settings.admissionTokenTtlMs !== head.admissionWindowMs) head = { ...head, admissionWindowMs: settings.admissionTokenTtlMs };
    if (settings.paused !== head.paused) head = settings.paused ? pause(head) : resume(head);
    this.headState = head;
    this.settings = settings;
    return { ok: true, type: 'configured', status: this.status(now) };
  }

  /** The timer: draws the lottery at sale start, then moves the head. */
  tick(now: number): void {
    const elapsed = Math.max(0, now - this.headState.now);
    if (!this.settings.queueEnabled || this.drawnCount === null) {
      // Time off or before the draw is not admission time: no burst when the head starts.
      this.headState = { ...this.headState, now: this.headState.now + elapsed };
      if (this.settings.queueEnabled && (this.saleStartsAt === null || now >= this.saleStartsAt)) this.draw();
      return;
    }
    const before = this.headState.head;
    this.headState = advance(this.headState, elapsed);
    if (this.headState.head !== before) {
      this.writes.head = this.headState.head;
      this.headMovedAt = now;
    }
  }

  private draw(): void {
    const n = this.ids.length;
    this.applyDraw(n);
    this.headState = { ...this.headState, joined: n };
    this.writes.drawnCount = n;
  }

  private applyDraw(n: number): void {
    assert(n <= this.ids.length, 'the draw covers arrivals that exist');
    const order = lotteryOrder(this.seed, this.ids.slice(0, n));
    const seqOfId = new Map<string, number>();
    for (let i = 0; i < n; i++) seqOfId.set(this.ids[i]!, i + 1);
    const places = new Int32Array(n);
    order.forEach((id, index) => {
      places[seqOfId.get(id)! - 1] = index + 1;
    });
    this.lotteryPlaces = places;
    this.drawnCount = n;
  }

  /** One admitted hold per buyer; null lets the hold through. */
  gate(buyer: string, key: string | null): Refusal | null {
    if (!this.settings.queueEnabled) return null;
    const prior = this.admittedHolds.get(buyer);
    if (prior === undefined || (prior !== null && prior === key)) return null;
    return limitPerAdmission;
  }

  /** Feeds the head what the inventory just did, then takes the inventory's numbers as the truth. */
  observe(entries: JournalEntry[], truth: StockTruth, admitted: { buyer: string; key: string | null } | null): void {
    let head = this.headState;
    for (const entry of entries) {
      const body = entry.body;
      if (body.kind === 'hold_placed' && admitted !== null && !this.admittedHolds.has(admitted.buyer)) {
        const qty = body.hold.qty;
        if (this.settings.queueEnabled && head.waiting > 0 && qty <= Math.min(head.perBuyerLimit, head.stockLeft)) head = holdPlaced(head, qty);
        this.admittedHolds.set(admitted.buyer, admitted.key);
      } else if (body.kind === 'hold_confirmed' && head.activeHolds > 0) {
        head = holdSold(head);
      }
    }
    if (truth.perBuyerLimit !== head.perBuyerLimit) head = { ...head, perBuyerLimit: truth.perBuyerLimit };
    this.saleStartsAt = truth.saleStartsAt;
    this.headState = stockChanged({ ...head, activeHolds: truth.activeHolds }, truth.stockLeft);
  }

  status(now: number): QueueStatus {
    const head = this.headState;
    const state = this.stateAt(now);
    return {
      eventId: this.eventId,
      state,
      head: head.head,
      placed: head.joined,
      joined: this.ids.length,
      drawn: this.drawnCount !== null,
      stockLeft: head.stockLeft,
      msPerPlace: state === 'open' ? Math.round(estimatedMsPerPlace(head)) : null,
      ratePerMinute: effectiveRatePerMinute(head),
      headMovedAt: this.headMovedAt,
      saleStartsAt: this.saleStartsAt,
      waitingRoomOpensAt: this.settings.waitingRoomOpensAt,
      at: now,
    };
  }

  /** The published proof: the commitment always, the seed and the drawn list once drawn. */
  proof(): { commitment: string; seedHex: string | null; drawnQueueTicketIds: string[] | null } {
    if (this.drawnCount === null) return { commitment: this.commitment, seedHex: null, drawnQueueTicketIds: null };
    return { commitment: this.commitment, seedHex: this.seed.toString('hex'), drawnQueueTicketIds: this.ids.slice(0, this.drawnCount) };
  }

  private stateAt(now: number): QueueState {
    if (this.closedReason(now) !== null) return 'closed';
    const s = headStatus(this.headState);
    if (s === 'sold_out') return 'sold_out';
    if (this.drawnCount === null) return 'waiting';
    return s;
  }

  private closedReason(now: number): QueueRefusal | null {
    if (!this.settings.queueEnabled) return 'queue_off';
    const opensAt = this.settings.waitingRoomOpensAt;
    if (opensAt !== null && now < opensAt) return 'waiting_room_closed';
    return null;
  }

  private refuse(reason: QueueRefusal, now: number): QueueAnswer {
    return { ok: false, reason, status: this.status(now) };
  }
}

function defaultTicketId(): string {
  return randomBytes(16).toString('hex');
}
