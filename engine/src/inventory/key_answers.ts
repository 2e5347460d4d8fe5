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
  private holdIds: string[] = [];
  private typeIds: string[] = [];
  private refusals: (Refusal | null)[] = [];
  private baskets: (HoldRecord[] | null)[] = [];
  private qtys: Int32Array;
  private prices: Float64Array;
  private expiries: Float64Array;
  private statusCodes: Uint8Array;

  constructor(max: number, ttlMs: number) {
    super(max, ttlMs);
    const size = this.capacity;
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
    if (this.holdIds[slot] !== holdId) return;
    this.statusCodes[slot] = status === 'confirmed' ? 1 : status === 'released' ? 2 : 3;
    this.pins[slot] = 0;
  }

  /** The basket list of the answer at `slot` (the rest of a basket joins its first hold's answer). */
  basketAt(slot: number): HoldRecord[] | null {
    return this.baskets[slot] ?? null;
  }

  holdIdAt(slot: number): string {
    return this.holdIds[slot] ?? '';
  }

  statusAt(slot: number): Status {
    return statuses[this.statusCodes[slot]!]!;
  }

  private fill(slot: number, holdId: string, typeId: string, qty: number, price: number, expiresAt: number, refusal: Refusal | null, basket: HoldRecord[] | null): void {
    this.holdIds[slot] = holdId;
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
      holdId: this.holdIds[slot]!,
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
    this.holdIds[slot] = '';
    this.typeIds[slot] = '';
    this.refusals[slot] = null;
    this.baskets[slot] = null;
  }

  protected override grew(size: number): void {
    this.qtys = grown(this.qtys, new Int32Array(size));
    this.prices = grown(this.prices, new Float64Array(size));
    this.expiries = grown(this.expiries, new Float64Array(size));
    this.statusCodes = grown(this.statusCodes, new Uint8Array(size));
  }
}
