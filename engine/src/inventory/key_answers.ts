import type { HoldRecord } from './apply.ts';
import { grown, RecentSlots } from './recent.ts';
import type { Hold, HoldView, Refusal } from './types.ts';

/**
 * What the actor remembers under an idempotency key: the hold the first
 * attempt made (open or since closed; `status` follows it), or its refusal.
 * Refusals are not journaled, so a retry after a crash may get a fresh answer.
 * A basket's answer also lists its holds' fields (the answer's own are its
 * first hold's; `status` follows that one); a refused basket has an empty
 * list, and `typeId` then holds the basket's items as `basketItems` spells them.
 */
export type KeyAnswer = HoldRecord & { at: number; status: HoldView['status']; refusal: Refusal | null; basket: HoldRecord[] | null };

type Status = HoldView['status'];
const statuses: readonly Status[] = ['held', 'confirmed', 'released', 'expired'];

/**
 * The actor's answers by key, scoped per buyer (the scope is the answer's
 * buyer), kept as `RecentSlots` keep them: at most `max`, at most `ttlMs`, and
 * an open hold's answer pinned until the hold closes.
 *
 * An answer's fields live in columns by slot, not in an object per answer: a
 * keyed hold is answered on every such command and its answer outlives the
 * young generation, so an object per answer was copied by the scavenger,
 * promoted, and pointed to from the old slot array: on the actor
 * micro-benchmark (half the holds keyed) each scavenge copied twice the bytes
 * it copies now (#12). An answer is built as an object only for a retry, from
 * its slot.
 */
export class KeyAnswers extends RecentSlots {
  /**
   * An answer's hold id, when it is one this actor makes (`${eventId}.` and
   * 12 base64url characters, see ids.ts), is kept as its suffix's 72 bits in
   * three Int32Arrays rather than as the string: a slice of its id batch,
   * which kept the whole 3 kB batch alive as long as the answer (100,000
   * answers, 200,000 holds on the mixed workload), so every batch outlived
   * the young generation: 0.84 MB promoted a scavenge, none since. Actor
   * micro-benchmark, alternated (#12): 1.12-1.21M commands/s against
   * 0.95-1.10M. Other ids (tests make their own) stay strings in `holdIds`.
   */
  private readonly idPrefix: string;
  private idForms: Uint8Array;
  private idHighs: Int32Array;
  private idMids: Int32Array;
  private idLows: Int32Array;
  private holdIds: string[] = [];
  private typeIds: string[] = [];
  private refusals: (Refusal | null)[] = [];
  private baskets: (HoldRecord[] | null)[] = [];
  private qtys: Int32Array;
  private prices: Float64Array;
  private expiries: Float64Array;
  private statusCodes: Uint8Array;

  /** `idPrefix`: what every hold id this actor keeps starts with, `${eventId}.`; '' when its ids are not made that way. */
  constructor(max: number, ttlMs: number, idPrefix = '') {
    super(max, ttlMs);
    this.idPrefix = idPrefix;
    const size = this.capacity;
    this.idForms = new Uint8Array(size);
    this.idHighs = new Int32Array(size);
    this.idMids = new Int32Array(size);
    this.idLows = new Int32Array(size);
    this.qtys = new Int32Array(size);
    this.prices = new Float64Array(size);
    this.expiries = new Float64Array(size);
    this.statusCodes = new Uint8Array(size);
  }

  /** The live answer for `key` of `buyer`, unless older than the TTL (an open hold's never is); a fresh object. */
  get(key: string, now: number, buyer: string): KeyAnswer | undefined {
    const slot = this.findLive(key, now, buyer);
    return slot === -1 ? undefined : this.answerAt(slot);
  }

  /** The slot of `key` of `buyer` whatever its age, or -1; for checks. */
  slotOf(key: string, buyer: string): number {
    return this.find(key, buyer);
  }

  /** Remembers a keyed hold's answer, pinned while it is open; returns its slot, for `closed`. */
  placed(hold: Hold, basket: HoldRecord[] | null): number {
    const slot = this.claim(hold.key!, hold.placedAt, hold.buyer, true);
    this.fill(slot, hold.holdId, hold.typeId, hold.qty, hold.price, hold.expiresAt, null, basket);
    this.trim(hold.placedAt);
    return slot;
  }

  /** Remembers a refused attempt: no hold, so its hold fields are empty (`typeId` and `qty` are the attempt's). */
  refused(key: string, buyer: string, now: number, typeId: string, qty: number, refusal: Refusal, basket: HoldRecord[] | null): void {
    const slot = this.claim(key, now, buyer, false);
    this.fill(slot, '', typeId, qty, 0, 0, refusal, basket);
    this.trim(now);
  }

  /** The hold at `slot` closed: its answer follows, and may now be forgotten. A slot since given to another answer is left alone. */
  closed(slot: number, holdId: string, status: Exclude<Status, 'held'>): void {
    if (!this.holdsId(slot, holdId)) return;
    this.statusCodes[slot] = status === 'confirmed' ? 1 : status === 'released' ? 2 : 3;
    this.pins[slot] = 0;
  }

  /** The basket list of the answer at `slot` (the rest of a basket joins its first hold's answer). */
  basketAt(slot: number): HoldRecord[] | null {
    return this.baskets[slot] ?? null;
  }

  holdIdAt(slot: number): string {
    switch (this.idForms[slot]) {
      case idEncoded:
        return this.idPrefix + suffixOf(this.idHighs[slot]!) + suffixOf(this.idMids[slot]!) + suffixOf(this.idLows[slot]!);
      case idString:
        return this.holdIds[slot]!;
      default:
        return '';
    }
  }

  /**
   * Whether the answer at `slot` is `holdId`'s, without building a string.
   * An encoded id is compared by its random suffix alone: the prefix was
   * checked when it was kept, and these answers are one event's.
   */
  private holdsId(slot: number, holdId: string): boolean {
    switch (this.idForms[slot]) {
      case idEncoded: {
        const at = this.idPrefix.length;
        return (
          holdId.length === at + suffixChars &&
          encodedAt(holdId, at + 8) === this.idLows[slot] &&
          encodedAt(holdId, at + 4) === this.idMids[slot] &&
          encodedAt(holdId, at) === this.idHighs[slot]
        );
      }
      case idString:
        return this.holdIds[slot] === holdId;
      default:
        return false;
    }
  }

  /**
   * Whether `holdId` has the shape of the ids this actor makes: the prefix's
   * length, its '.', then 12 base64url characters (checked by `encodedAt`).
   * The event id before the '.' is not compared (37 ns a hold with substring,
   * 77-112 with startsWith, on Node 20): the ids kept here are this actor's
   * holds', made by its id source or replayed from its own event's journal,
   * all with its prefix. An actor given other ids (tests' `newId`) has no
   * prefix, and keeps them as strings.
   */
  private isOurs(holdId: string): boolean {
    const at = this.idPrefix.length;
    return at > 0 && holdId.length === at + suffixChars && holdId.charCodeAt(at - 1) === dot;
  }

  private setHoldId(slot: number, holdId: string): void {
    if (this.isOurs(holdId)) {
      const at = this.idPrefix.length;
      const high = encodedAt(holdId, at);
      const mid = encodedAt(holdId, at + 4);
      const low = encodedAt(holdId, at + 8);
      if ((high | mid | low) >= 0) {
        this.idForms[slot] = idEncoded;
        this.idHighs[slot] = high;
        this.idMids[slot] = mid;
        this.idLows[slot] = low;
        this.holdIds[slot] = '';
        return;
      }
    }
    this.idForms[slot] = holdId === '' ? idNone : idString;
    this.holdIds[slot] = holdId;
  }

  statusAt(slot: number): Status {
    return statuses[this.statusCodes[slot]!]!;
  }

  private fill(slot: number, holdId: string, typeId: string, qty: number, price: number, expiresAt: number, refusal: Refusal | null, basket: HoldRecord[] | null): void {
    this.setHoldId(slot, holdId);
    this.typeIds[slot] = typeId;
    this.qtys[slot] = qty;
    this.prices[slot] = price;
    this.expiries[slot] = expiresAt;
    this.statusCodes[slot] = 0;
    this.refusals[slot] = refusal;
    this.baskets[slot] = basket;
  }

  private answerAt(slot: number): KeyAnswer {
    return {
      holdId: this.holdIdAt(slot),
      typeId: this.typeIds[slot]!,
      qty: this.qtys[slot]!,
      buyer: this.scopes[slot]!,
      price: this.prices[slot]!,
      expiresAt: this.expiries[slot]!,
      at: this.atOf(slot),
      status: this.statusAt(slot),
      refusal: this.refusals[slot]!,
      basket: this.baskets[slot]!,
    };
  }

  protected override freed(slot: number): void {
    this.idForms[slot] = idNone;
    this.holdIds[slot] = '';
    this.typeIds[slot] = '';
    this.refusals[slot] = null;
    this.baskets[slot] = null;
  }

  protected override grew(size: number): void {
    this.idForms = grown(this.idForms, new Uint8Array(size));
    this.idHighs = grown(this.idHighs, new Int32Array(size));
    this.idMids = grown(this.idMids, new Int32Array(size));
    this.idLows = grown(this.idLows, new Int32Array(size));
    this.qtys = grown(this.qtys, new Int32Array(size));
    this.prices = grown(this.prices, new Float64Array(size));
    this.expiries = grown(this.expiries, new Float64Array(size));
    this.statusCodes = grown(this.statusCodes, new Uint8Array(size));
  }
}

/** How an answer's hold id is kept: none (a refusal), a string in `holdIds`, or encoded in the three Int32Arrays. */
const idNone = 0;
const idString = 1;
const idEncoded = 2;

const dot = '.'.charCodeAt(0);
/** The characters after the prefix of an id this actor makes. */
const suffixChars = 12;
const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** A base64url character's 6 bits by its char code, -1 for any other character. */
const sixBits = new Int8Array(128).fill(-1);
for (let i = 0; i < base64url.length; i++) sixBits[base64url.charCodeAt(i)] = i;

/** The 24 bits of `id`'s four base64url characters from `at`, or a negative number when one is not base64url. */
function encodedAt(id: string, at: number): number {
  let bits = 0;
  for (let i = at; i < at + 4; i++) {
    const code = id.charCodeAt(i);
    const value = code < 128 ? sixBits[code]! : -1;
    if (value < 0) return -1;
    bits = (bits << 6) | value;
  }
  return bits;
}

/** The four characters `encodedAt` read. */
function suffixOf(bits: number): string {
  return base64url[(bits >>> 18) & 63]! + base64url[(bits >>> 12) & 63]! + base64url[(bits >>> 6) & 63]! + base64url[bits & 63]!;
}
