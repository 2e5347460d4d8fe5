import { randomBytes } from 'node:crypto';
import type { Hold } from './types.ts';
import type { HoldRecord } from './apply.ts';

/**
 * A map that forgets: about `max` entries, none older than `ttlMs`, oldest
 * out first. Entries carry their own time (`at`); they are expected to be added
 * in roughly increasing `at`, and `get` checks the age anyway.
 *
 * An entry `pinned` says must stay (an idempotency key whose hold is still
 * open) goes to the back of the line instead of out, whatever its age; so the
 * bound is `max` plus the pinned entries, which something else bounds.
 *
 * A key may live in a scope (the actor scopes idempotency keys per buyer):
 * entries are found by key and scope together (see `RecentSlots`), so a
 * scoped lookup builds no string (`buyer + key` would cost a concatenation,
 * its flattening and its hash on every keyed hold, and a string kept per
 * entry), and a buyer with many keys costs no more per lookup than one with
 * one. Unscoped keys are their own scope.
 *
 * Entries live in slots: parallel arrays indexed by a slot number, not an
 * object per entry. A keyed hold is set on every such command and its entry
 * outlives the young generation, so an object per entry was copied twice by
 * the scavenger and kept in the old generation; a slot costs array stores.
 * `RecentSlots` keeps the keys, times and pins; what an entry holds is a
 * subclass's columns (`Recent` an object, the actor's `KeyAnswers` its
 * answers' fields, so a keyed hold leaves no object behind). The insertion
 * order is a ring of slot numbers. A slot is in the ring exactly once: it is
 * freed when it leaves the ring, so a slot number in the ring never names a
 * reused slot.
 * (A plain Map cannot drop its oldest entry cheaply over and over either: V8
 * leaves tombstones at the front that every `keys().next()` walks.)
 */
/** What a bucket of `RecentSlots.table` holds when it holds no slot: never any, or one since dropped. */
const emptyBucket = -1;
const deadBucket = -2;

/**
 * The slots of a map that forgets, without their values: a subclass keeps
 * what each slot holds in columns of its own (`Recent` an object per entry,
 * the actor's `KeyAnswers` typed arrays). A subclass claims a slot, fills its
 * columns, then trims; it clears its columns when a slot is freed (`freed`)
 * and grows them with the slots (`grew`).
 *
 * Entries are found through a table of our own, open addressing on a hash of
 * key and scope (`hashOf`), not through a Map by scope: a keyed hold looked
 * its buyer up in a Map of 100,000 scopes, and the drop of the oldest entry
 * looked up another (an old buyer, its string and both Map buckets cold in
 * cache): a sixth of the actor's time on the mixed workload (#12). Here a
 * lookup is one probe into an Int32Array, and a drop one store at the bucket
 * its slot remembers. Dropped entries leave tombstones; the table is rebuilt
 * from the live slots' hashes (no string is read) when tombstones and
 * entries fill half of it.
 */
export class RecentSlots {
  /** Slot numbers by `hashOf(key, scope)`, linear probing; `emptyBucket` or `deadBucket` where none. At most half full. */
  private table = new Int32Array(2 * initialSlots).fill(emptyBucket);
  private deadBuckets = 0;
  private keys: string[] = [];
  protected scopes: string[] = [];
  private hashes = new Int32Array(initialSlots);
  /** Where each live slot sits in `table`. */
  private buckets = new Int32Array(initialSlots);
  /** Each entry's time, read by the trim and the TTL check without touching what the entry holds. */
  private ats = new Float64Array(initialSlots);
  /** 1 while the entry must stay (see `pinned`). */
  protected pins = new Uint8Array(initialSlots);
  /** For a free slot, the next free one. */
  private next = new Int32Array(initialSlots);
  /** 1 while the slot's entry is the latest for its key (not replaced nor dropped): then it is in `table`. */
  private linked = new Uint8Array(initialSlots);
  private freeSlot = -1;
  /** Slots ever handed out; those below are in use or free. */
  private used = 0;
  /** Slot numbers in insertion order: a ring as large as the slot arrays. */
  private ring = new Int32Array(initialSlots);
  private head = 0;
  private length = 0;
  private live = 0;
  /** The key and scope hashed last and their hash, so a `claim` just after a `find` hashes them once. */
  private hashedKey = '';
  private hashedScope = '';
  private hashed = hashOf('', '');

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.live;
  }

  /** Slots the columns must hold. */
  protected get capacity(): number {
    return this.next.length;
  }

  /** The live slot for `key` in `scope`, or -1, also when it is older than the TTL (pinned entries never are). */
  protected findLive(key: string, now: number, scope: string | undefined): number {
    const slot = this.find(key, scope);
    if (slot === -1) return -1;
    if (this.ats[slot]! + this.ttlMs <= now && !this.pinned(slot)) return -1;
    return slot;
  }

  /** The slot for `key` in `scope` whatever its age, or -1. Unscoped keys are their own scope. */
  protected find(key: string, scope: string | undefined): number {
    const scopeKey = scope ?? key;
    const bucket = this.probe(this.hashFor(key, scopeKey), key, scopeKey);
    return bucket === -1 ? -1 : this.table[bucket]!;
  }

  protected atOf(slot: number): number {
    return this.ats[slot]!;
  }

  /** Whether the entry must stay; `pins` unless a subclass decides otherwise. */
  protected pinned(slot: number): boolean {
    return this.pins[slot] === 1;
  }

  /** What a subclass does when a slot is freed: let go of what its columns hold there. */
  protected freed(_slot: number): void {}

  /** What a subclass does when the slots grow to `size`: grow its typed columns alike. */
  protected grew(_size: number): void {}

  /** A slot for `key` in `scope` at `at`, in place of the key's entry if it has one; the caller fills it, then calls `trim`. */
  protected claim(key: string, at: number, scope: string | undefined, pinned: boolean): number {
    const scopeKey = scope ?? key;
    const hash = this.hashFor(key, scopeKey);
    if ((this.live + this.deadBuckets + 1) * 2 > this.table.length) this.rebuildTable();
    const replaced = this.probe(hash, key, scopeKey);
    const slot = this.allocate();
    this.keys[slot] = key;
    this.scopes[slot] = scopeKey;
    this.hashes[slot] = hash;
    this.ats[slot] = at;
    this.pins[slot] = pinned ? 1 : 0;
    this.linked[slot] = 1;
    if (replaced !== -1) {
      // The replaced entry's place in the ring is left to lapse.
      this.linked[this.table[replaced]!] = 0;
      this.place(replaced, slot);
    } else {
      this.place(this.openBucket(hash), slot);
      this.live++;
    }
    this.ring[(this.head + this.length) & (this.ring.length - 1)] = slot;
    this.length++;
    return slot;
  }

  /**
   * Drops what is past the bound or the TTL, oldest first. At most two drops
   * per call, which outpaces the one claim before it, so the work per call
   * stays bounded even when pinned entries cycle to the back.
   */
  protected trim(now: number): void {
    for (let steps = 0; steps < 2 && this.length > 0; steps++) {
      if (this.length <= this.max && this.ats[this.ring[this.head]!]! + this.ttlMs > now) break;
      this.dropOldest();
    }
  }

  private hashFor(key: string, scopeKey: string): number {
    if (key !== this.hashedKey || scopeKey !== this.hashedScope) {
      this.hashedKey = key;
      this.hashedScope = scopeKey;
      this.hashed = hashOf(key, scopeKey);
    }
    return this.hashed;
  }

  /** The bucket holding `key` in `scopeKey`, or -1. */
  private probe(hash: number, key: string, scopeKey: string): number {
    const mask = this.table.length - 1;
    for (let bucket = hash & mask; ; bucket = (bucket + 1) & mask) {
      const slot = this.table[bucket]!;
      if (slot === emptyBucket) return -1;
      if (slot >= 0 && this.hashes[slot] === hash && this.keys[slot] === key && this.scopes[slot] === scopeKey) return bucket;
    }
  }

  /** The first bucket from `hash` that holds no live slot. */
  private openBucket(hash: number): number {
    const mask = this.table.length - 1;
    let bucket = hash & mask;
    while (this.table[bucket]! >= 0) bucket = (bucket + 1) & mask;
    if (this.table[bucket] === deadBucket) this.deadBuckets--;
    return bucket;
  }

  private place(bucket: number, slot: number): void {
    this.table[bucket] = slot;
    this.buckets[slot] = bucket;
  }

  /** A table without tombstones, twice as large when the live entries fill a quarter of this one. */
  private rebuildTable(): void {
    const size = this.live * 4 > this.table.length ? this.table.length * 2 : this.table.length;
    this.table = new Int32Array(size).fill(emptyBucket);
    this.deadBuckets = 0;
    for (let i = 0; i < this.length; i++) {
      const slot = this.ring[(this.head + i) & (this.ring.length - 1)]!;
      if (this.linked[slot] === 1) this.place(this.openBucket(this.hashes[slot]!), slot);
    }
  }

  private allocate(): number {
    const free = this.freeSlot;
    if (free !== -1) {
      this.freeSlot = this.next[free]!;
      return free;
    }
    if (this.used === this.next.length) this.grow();
    return this.used++;
  }

  /** Doubles the slot arrays and the ring; the ring's entries move to its start, in order. */
  private grow(): void {
    const size = this.next.length * 2;
    this.next = grown(this.next, new Int32Array(size));
    this.linked = grown(this.linked, new Uint8Array(size));
    this.pins = grown(this.pins, new Uint8Array(size));
    this.ats = grown(this.ats, new Float64Array(size));
    this.hashes = grown(this.hashes, new Int32Array(size));
    this.buckets = grown(this.buckets, new Int32Array(size));
    const ring = new Int32Array(size);
    for (let i = 0; i < this.length; i++) ring[i] = this.ring[(this.head + i) % this.ring.length]!;
    this.ring = ring;
    this.head = 0;
    this.grew(size);
  }

  private dropOldest(): void {
    const slot = this.ring[this.head]!;
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.length--;
    // A slot replaced since is no longer linked; only the latest one counts.
    if (this.linked[slot] === 1) {
      if (this.pinned(slot)) {
        this.ring[(this.head + this.length) & (this.ring.length - 1)] = slot;
        this.length++;
        return;
      }
      this.linked[slot] = 0;
      this.live--;
      this.table[this.buckets[slot]!] = deadBucket;
      this.deadBuckets++;
    }
    // Out of the ring, out of use: nothing refers to this slot number any more.
    this.keys[slot] = '';
    this.scopes[slot] = '';
    this.freed(slot);
    this.next[slot] = this.freeSlot;
    this.freeSlot = slot;
  }
}

/** Mixed into every hash, so that which keys collide differs from one process to the next. */
const hashSeed = randomBytes(4).readInt32LE(0);

/** A 32-bit hash of a key and its scope (FNV-1a, then murmur3's finalizer, so the low bits the table masks are mixed). */
function hashOf(key: string, scopeKey: string): number {
  let h = hashSeed ^ key.length;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  for (let i = 0; i < scopeKey.length; i++) h = Math.imul(h ^ scopeKey.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** `to`, which is larger, with `from` copied to its start. */
export function grown<T extends Int32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** A map that forgets (see the file's comment), an object per entry. */
export class Recent<V extends { at: number }> extends RecentSlots {
  private values: (V | undefined)[] = [];

  constructor(
    max: number,
    ttlMs: number,
    private readonly isPinned: (value: V) => boolean = () => false,
  ) {
    super(max, ttlMs);
  }

  /** The live entry for `key` in `scope`, unless it is older than the TTL (pinned entries never are). */
  get(key: string, now: number, scope?: string): V | undefined {
    const slot = this.findLive(key, now, scope);
    return slot === -1 ? undefined : this.values[slot];
  }

  /** The entry for `key` in `scope` whatever its age. */
  peek(key: string, scope?: string): V | undefined {
    const slot = this.find(key, scope);
    return slot === -1 ? undefined : this.values[slot];
  }

  set(key: string, value: V, now: number, scope?: string): void {
    const slot = this.claim(key, value.at, scope, false);
    this.values[slot] = value;
    this.trim(now);
  }

  /** An entry's value may change whether it is pinned, so it is asked each time. */
  protected override pinned(slot: number): boolean {
    return this.isPinned(this.values[slot]!);
  }

  protected override freed(slot: number): void {
    this.values[slot] = undefined;
  }
}

/** Slots a Recent starts with, a power of two (the ring masks with it); it doubles as needed. */
const initialSlots = 1024;

/**
 * The last `size` holds to close and how each ended, in a ring found by a
 * scan: written on every release, read rarely (`getHold` after the fact), so
 * the write must cost a few array stores, not a Map insert. The ring keeps the
 * fields an answer needs, not the hold: a hold kept here for thousands of
 * commands would be copied by the scavenger; its fields, mostly strings that
 * live on anyway, are not.
 */
export class ClosedHolds {
  private readonly holdIds: string[];
  private readonly typeIds: string[];
  private readonly buyers: string[];
  private readonly qtys: Int32Array;
  private readonly prices: Float64Array;
  private readonly expiries: Float64Array;
  private readonly statuses: Uint8Array;
  private next = 0;

  constructor(private readonly size: number) {
    this.holdIds = new Array<string>(size).fill('');
    this.typeIds = new Array<string>(size).fill('');
    this.buyers = new Array<string>(size).fill('');
    this.qtys = new Int32Array(size);
    this.prices = new Float64Array(size);
    this.expiries = new Float64Array(size);
    this.statuses = new Uint8Array(size);
  }

  add(hold: Hold, status: ClosedStatus): void {
    const i = this.next;
    this.holdIds[i] = hold.holdId;
    this.typeIds[i] = hold.typeId;
    this.buyers[i] = hold.buyer;
    this.qtys[i] = hold.qty;
    this.prices[i] = hold.price;
    this.expiries[i] = hold.expiresAt;
    this.statuses[i] = status === 'released' ? 0 : status === 'expired' ? 1 : 2;
    this.next = i + 1 === this.size ? 0 : i + 1;
  }

  /** The latest closing of `holdId`, or undefined; O(size). */
  find(holdId: string): { hold: HoldRecord; status: ClosedStatus } | undefined {
    for (let n = 1; n <= this.size; n++) {
      const i = (this.next - n + this.size) % this.size;
      const id = this.holdIds[i]!;
      if (id === '') return undefined;
      if (id !== holdId) continue;
      const hold: HoldRecord = { holdId: id, typeId: this.typeIds[i]!, qty: this.qtys[i]!, buyer: this.buyers[i]!, price: this.prices[i]!, expiresAt: this.expiries[i]! };
      return { hold, status: closedStatuses[this.statuses[i]!]! };
    }
    return undefined;
  }
}

export type ClosedStatus = 'confirmed' | 'released' | 'expired';

/** By the code `add` stores. */
const closedStatuses: readonly ClosedStatus[] = ['released', 'expired', 'confirmed'];
