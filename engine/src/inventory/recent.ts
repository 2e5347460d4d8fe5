import type { Hold } from './types.ts';

/**
 * A map that forgets: about `max` entries, none older than `ttlMs`, oldest
 * out first. Entries carry their own time (`at`); they are expected to be added
 * in roughly increasing `at`, and `get` checks the age anyway.
 *
 * An entry `pinned` says must stay (an idempotency key whose hold is still
 * open) goes to the back of the line instead of out, whatever its age; so the
 * bound is `max` plus the pinned entries, which something else bounds.
 *
 * A plain Map cannot drop its oldest entry cheaply over and over (V8 leaves
 * tombstones at the front that every `keys().next()` walks), so the insertion
 * order is kept in a queue of arrays beside it, compacted when half used up.
 */
export class Recent<V extends { at: number }> {
  private readonly map = new Map<string, V>();
  private keys: string[] = [];
  private values: V[] = [];
  private head = 0;

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly pinned: (value: V) => boolean = () => false,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The live entry for `key`, unless it is older than the TTL (pinned entries never are). */
  get(key: string, now: number): V | undefined {
    const value = this.map.get(key);
    if (value === undefined || (value.at + this.ttlMs <= now && !this.pinned(value))) return undefined;
    return value;
  }

  /** The entry for `key` whatever its age. */
  peek(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V, now: number): void {
    this.map.set(key, value);
    this.keys.push(key);
    this.values.push(value);
    // At most two drops per insert, which outpaces the one insert, so the work
    // per call stays bounded even when pinned entries cycle to the back.
    for (let steps = 0; steps < 2 && this.head < this.keys.length; steps++) {
      if (this.keys.length - this.head <= this.max && this.values[this.head]!.at + this.ttlMs > now) break;
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const key = this.keys[this.head]!;
    const value = this.values[this.head]!;
    this.head++;
    // The key may have been set again since; only its latest value counts.
    if (this.map.get(key) === value) {
      if (this.pinned(value)) {
        this.keys.push(key);
        this.values.push(value);
      } else {
        this.map.delete(key);
      }
    }
    if (this.head >= 1024 && this.head * 2 >= this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The last `size` holds to close and how each ended, in a ring found by a
 * scan: written on every release, read rarely (`getHold` after the fact), so
 * the write must cost two array stores, not a Map insert.
 */
export class ClosedHolds {
  private readonly holds: (Hold | undefined)[];
  private readonly statuses: ClosedStatus[];
  private next = 0;

  constructor(private readonly size: number) {
    this.holds = new Array<Hold | undefined>(size).fill(undefined);
    this.statuses = new Array<ClosedStatus>(size).fill('released');
  }

  add(hold: Hold, status: ClosedStatus): void {
    this.holds[this.next] = hold;
    this.statuses[this.next] = status;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }

  /** The latest closing of `holdId`, or undefined; O(size). */
  find(holdId: string): { hold: Hold; status: ClosedStatus } | undefined {
    for (let n = 1; n <= this.size; n++) {
      const i = (this.next - n + this.size) % this.size;
      const hold = this.holds[i];
      if (hold === undefined) return undefined;
      if (hold.holdId === holdId) return { hold, status: this.statuses[i]! };
    }
    return undefined;
  }
}

export type ClosedStatus = 'confirmed' | 'released' | 'expired';
