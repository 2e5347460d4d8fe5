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
 * A key may live in a scope (the actor scopes idempotency keys per buyer). The
 * map is keyed by scope, and the few keys of one scope hang off it in a short
 * list, so a scoped lookup builds no string: `buyer + key` would cost a
 * concatenation, its flattening and its hash on every keyed hold, and a string
 * kept per entry. Unscoped keys are their own scope.
 *
 * A plain Map cannot drop its oldest entry cheaply over and over (V8 leaves
 * tombstones at the front that every `keys().next()` walks), so the insertion
 * order is kept in a queue beside it, compacted when half used up.
 */
export class Recent<V extends { at: number }> {
  private readonly map = new Map<string, Slot<V>>();
  private queue: Slot<V>[] = [];
  private head = 0;
  private live = 0;

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly pinned: (value: V) => boolean = () => false,
  ) {}

  get size(): number {
    return this.live;
  }

  /** The live entry for `key` in `scope`, unless it is older than the TTL (pinned entries never are). */
  get(key: string, now: number, scope?: string): V | undefined {
    const slot = this.find(key, scope);
    if (slot === undefined) return undefined;
    const value = slot.value;
    if (value.at + this.ttlMs <= now && !this.pinned(value)) return undefined;
    return value;
  }

  /** The entry for `key` in `scope` whatever its age. */
  peek(key: string, scope?: string): V | undefined {
    return this.find(key, scope)?.value;
  }

  set(key: string, value: V, now: number, scope?: string): void {
    const mapKey = scope ?? key;
    const slot: Slot<V> = { scope: mapKey, key, value, next: null, linked: true };
    const first = this.map.get(mapKey);
    if (first === undefined) {
      this.map.set(mapKey, slot);
      this.live++;
    } else {
      // Appended to its scope's list, or in place of the entry it replaces,
      // whose place in the queue is then left to lapse.
      let before: Slot<V> | null = null;
      let at: Slot<V> | null = first;
      while (at !== null && at.key !== key) {
        before = at;
        at = at.next;
      }
      if (at === null) {
        before!.next = slot;
        this.live++;
      } else {
        at.linked = false;
        slot.next = at.next;
        if (before === null) this.map.set(mapKey, slot);
        else before.next = slot;
      }
    }
    this.queue.push(slot);
    // At most two drops per insert, which outpaces the one insert, so the work
    // per call stays bounded even when pinned entries cycle to the back.
    for (let steps = 0; steps < 2 && this.head < this.queue.length; steps++) {
      if (this.queue.length - this.head <= this.max && this.queue[this.head]!.value.at + this.ttlMs > now) break;
      this.dropOldest();
    }
  }

  private find(key: string, scope: string | undefined): Slot<V> | undefined {
    let slot = this.map.get(scope ?? key) ?? null;
    while (slot !== null && slot.key !== key) slot = slot.next;
    return slot ?? undefined;
  }

  private unlink(target: Slot<V>): void {
    target.linked = false;
    this.live--;
    let slot = this.map.get(target.scope)!;
    if (slot === target) {
      if (target.next === null) this.map.delete(target.scope);
      else this.map.set(target.scope, target.next);
      return;
    }
    while (slot.next !== target) slot = slot.next!;
    slot.next = target.next;
  }

  private dropOldest(): void {
    const slot = this.queue[this.head]!;
    this.head++;
    // A slot replaced since is no longer linked; only the latest one counts.
    if (slot.linked) {
      if (this.pinned(slot.value)) this.queue.push(slot);
      else this.unlink(slot);
    }
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/** One entry of a Recent: its scope's list runs through `next`; `linked` until replaced or dropped. */
type Slot<V> = { scope: string; key: string; value: V; next: Slot<V> | null; linked: boolean };

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
