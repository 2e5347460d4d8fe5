/**
 * The pure admission logic of a drop's queue actor: how far the head has come,
 * how fast it moves, and when it must stop. Places are numbered from 1; every
 * place at or behind `head` has been admitted.
 *
 * The rule that keeps admission within stock: an admitted buyer who has not
 * yet placed a hold is *waiting*, and
 *
 *     waiting <= ceil(stockLeft / perBuyerLimit)
 *
 * so even if every waiting buyer in turn holds the per-buyer limit, the last
 * of them still finds at least one ticket. The head only moves into that room.
 * A waiting buyer stops counting when they place their hold (an admission buys
 * one hold; the actor must refuse a second hold on the same admission) or when
 * their admission window closes unused. The window starts when the head passes
 * the place, so an admission token must expire no later than `admissionEndsAt`.
 *
 * When a hold is placed the actor cannot tell which admitted place it came
 * from, so it is taken off the oldest batch still counted. That makes counted
 * admissions lapse no earlier than the real ones would: the count may run high
 * for a while, never low.
 *
 * The rate is admissions per minute, set by the organizer (stopping is `pause`,
 * not a rate of 0) or `auto`. Time is
 * carried as integer admission-milliseconds, so splitting a minute into any
 * number of steps admits exactly the same people: no drift. Whole admissions
 * the head could not use (no one left to admit, no room in stock, paused) are
 * dropped, not saved up, so a stall never ends in a burst.
 */
import { assert } from '../assert.ts';
import { holdTtlMsDefault } from '../constants.ts';
import { admissionRatePerMinuteMax } from './limits.ts';

/** Auto mode spreads the admissions the stock left can absorb over about one hold's life. */
export const autoHorizonMs = holdTtlMsDefault;
/** Until the first sale there is no observed ratio; assume two holds in three become sales. */
export const holdToSaleRatioDefault = 1.5;
const minuteMs = 60_000;

export type AdmissionBatch = { fromPlace: number; toPlace: number; admittedAt: number; waiting: number };

export type HeadState = {
  now: number;
  head: number;
  joined: number;
  /** Admitted, window open, no hold yet; the sum of `waiting` over `batches`. */
  waiting: number;
  /** Tickets neither held nor sold. */
  stockLeft: number;
  activeHolds: number;
  holdsPlaced: number;
  holdsSold: number;
  /** Holds placed per sale, observed; `holdToSaleRatioDefault` before the first sale. */
  holdToSaleRatio: number;
  perBuyerLimit: number;
  ratePerMinute: number | 'auto';
  admissionWindowMs: number;
  /** Admission-milliseconds not yet worth a whole admission, always below one minute. */
  carry: number;
  paused: boolean;
  /** Sticky: once nothing is left to sell or to come back, the head stops for good. */
  soldOut: boolean;
  /** Oldest first; a batch leaves when its window closes. */
  batches: AdmissionBatch[];
};

export type HeadStatus = 'open' | 'paused' | 'all_held' | 'sold_out';

export type HeadConfig = {
  now: number;
  stockLeft: number;
  perBuyerLimit: number;
  ratePerMinute: number | 'auto';
  admissionWindowMs: number;
};

export function newHead(config: HeadConfig): HeadState {
  assertCount(config.stockLeft, 'stock left');
  assert(Number.isInteger(config.perBuyerLimit) && config.perBuyerLimit >= 1, 'the per-buyer limit is at least 1');
  assert(Number.isInteger(config.admissionWindowMs) && config.admissionWindowMs > 0, 'the admission window is positive');
  assertRate(config.ratePerMinute);
  return settle({
    ...config,
    head: 0,
    joined: 0,
    waiting: 0,
    activeHolds: 0,
    holdsPlaced: 0,
    holdsSold: 0,
    holdToSaleRatio: holdToSaleRatioDefault,
    carry: 0,
    paused: false,
    soldOut: false,
    batches: [],
  });
}

export function status(state: HeadState): HeadStatus {
  if (state.soldOut) return 'sold_out';
  if (state.paused) return 'paused';
  return state.stockLeft === 0 ? 'all_held' : 'open';
}

/** How many waiting buyers the stock left can serve (see the file comment). */
export function servable(state: HeadState): number {
  return Math.ceil(state.stockLeft / state.perBuyerLimit);
}

/**
 * Auto rate: the buyers the inventory can still serve are those the free
 * stock serves plus those served by tickets coming back from holds that will
 * lapse (a share `1 - 1/ratio` of them); each eventual sale takes `ratio`
 * admissions. Admit that many over `autoHorizonMs`, at least one a minute.
 */
export function effectiveRatePerMinute(state: HeadState): number {
  if (state.ratePerMinute !== 'auto') return state.ratePerMinute;
  const ratio = state.holdToSaleRatio;
  const buyers = servable(state) + state.activeHolds * (1 - 1 / ratio);
  const perMinute = Math.ceil((ratio * buyers * minuteMs) / autoHorizonMs);
  return Math.min(admissionRatePerMinuteMax, Math.max(1, perMinute));
}

/** For the live tick: how long each place ahead adds to a waiter's wait. */
export function estimatedMsPerPlace(state: HeadState): number {
  return minuteMs / effectiveRatePerMinute(state);
}

/** Moves the clock by `elapsedMs`, closes lapsed admission windows, then moves the head. */
export function advance(state: HeadState, elapsedMs: number): HeadState {
  assertCount(elapsedMs, 'elapsed time');
  const now = state.now + elapsedMs;
  let waiting = state.waiting;
  const batches = state.batches.filter((batch) => {
    const open = batch.admittedAt + state.admissionWindowMs > now;
    if (!open) waiting -= batch.waiting;
    return open;
  });
  const lapsed = settle({ ...state, now, waiting, batches });
  if (lapsed.paused || lapsed.soldOut) return lapsed;

  const units = lapsed.carry + effectiveRatePerMinute(lapsed) * elapsedMs;
  const due = Math.floor(units / minuteMs);
  const room = Math.max(0, servable(lapsed) - lapsed.waiting);
  const admitted = Math.min(due, lapsed.joined - lapsed.head, room);
  const moved = { ...lapsed, carry: units - due * minuteMs };
  if (admitted === 0) return moved;
  const batch = { fromPlace: lapsed.head + 1, toPlace: lapsed.head + admitted, admittedAt: now, waiting: admitted };
  return { ...moved, head: batch.toPlace, waiting: lapsed.waiting + admitted, batches: [...batches, batch] };
}

/** A buyer takes the next place. Places are handed out here only, so they are dense. */
export function join(state: HeadState): { state: HeadState; place: number } {
  const place = state.joined + 1;
  return { state: { ...state, joined: place }, place };
}

/** When the admission of `place` ends, or undefined if it is not (or no longer) admitted. */
export function admissionEndsAt(state: HeadState, place: number): number | undefined {
  if (place < 1 || place > state.head) return undefined;
  const batch = state.batches.find((b) => b.fromPlace <= place && place <= b.toPlace);
  return batch === undefined ? undefined : batch.admittedAt + state.admissionWindowMs;
}

/** An admitted buyer placed their one hold of `qty` tickets. */
export function holdPlaced(state: HeadState, qty: number): HeadState {
  assert(state.waiting > 0, 'a hold on a queued drop comes from an admitted buyer');
  assert(Number.isInteger(qty) && qty >= 1 && qty <= Math.min(state.perBuyerLimit, state.stockLeft), 'hold quantity fits limit and stock');
  const batches = [...state.batches];
  const index = batches.findIndex((b) => b.waiting > 0);
  assert(index >= 0, 'some batch still counts a waiting buyer');
  batches[index] = { ...batches[index]!, waiting: batches[index]!.waiting - 1 };
  const holdsPlaced = state.holdsPlaced + 1;
  return settle({
    ...state,
    batches,
    waiting: state.waiting - 1,
    stockLeft: state.stockLeft - qty,
    activeHolds: state.activeHolds + 1,
    holdsPlaced,
    holdToSaleRatio: ratio(holdsPlaced, state.holdsSold),
  });
}

/** A hold expired or was released: its tickets are back in stock. */
export function holdReleased(state: HeadState, qty: number): HeadState {
  assert(state.activeHolds > 0, 'a released hold was active');
  assertCount(qty, 'released quantity');
  return settle({ ...state, activeHolds: state.activeHolds - 1, stockLeft: state.stockLeft + qty });
}

/** A hold became a sale: its tickets stay out of stock for good. */
export function holdSold(state: HeadState): HeadState {
  assert(state.activeHolds > 0, 'a sold hold was active');
  const holdsSold = state.holdsSold + 1;
  return settle({ ...state, activeHolds: state.activeHolds - 1, holdsSold, holdToSaleRatio: ratio(state.holdsPlaced, holdsSold) });
}

/**
 * The organizer changed capacity. Shrinking stock below what waiting buyers
 * need cannot take admissions back; the head simply stays put until it fits.
 */
export function stockChanged(state: HeadState, stockLeft: number): HeadState {
  assertCount(stockLeft, 'stock left');
  return settle({ ...state, stockLeft });
}

export function setRate(state: HeadState, ratePerMinute: number | 'auto'): HeadState {
  assertRate(ratePerMinute);
  return { ...state, ratePerMinute };
}

/** Pausing keeps the carry, so a pause of zero length changes nothing. */
export function pause(state: HeadState): HeadState {
  return { ...state, paused: true };
}

export function resume(state: HeadState): HeadState {
  return { ...state, paused: false };
}

function settle(state: HeadState): HeadState {
  assert(state.waiting >= 0 && state.head <= state.joined, 'head state is consistent');
  const soldOut = state.soldOut || (state.stockLeft === 0 && state.activeHolds === 0);
  return soldOut === state.soldOut ? state : { ...state, soldOut };
}

function ratio(placed: number, sold: number): number {
  return sold === 0 ? holdToSaleRatioDefault : Math.max(1, placed / sold);
}

function assertCount(value: number, what: string): void {
  assert(Number.isSafeInteger(value) && value >= 0, `${what} is a whole number from 0`);
}

function assertRate(rate: number | 'auto'): void {
  const ok = rate === 'auto' || (Number.isInteger(rate) && rate >= 1 && rate <= admissionRatePerMinuteMax);
  assert(ok, `the admission rate is 'auto' or a whole number from 1 to ${admissionRatePerMinuteMax} per minute`);
}
