import { assert } from '../assert.ts';
import type { Hold } from './types.ts';

/**
 * Holds ordered by `expiresAt` (placement order among equals): a binary
 * min-heap in parallel arrays, so a push allocates nothing. Holds are placed
 * with `now + holdTtlMs`, so pushes arrive almost in order and sift up little.
 *
 * Deletion is lazy: a released or confirmed hold stays until it reaches the
 * top, and the actor skips it there. The actor rebuilds the heap from the live
 * holds when it grows past twice their number, so it stays O(active holds).
 */
export class ExpiryHeap {
  /**
   * The arrays keep their length when the heap shrinks (`count` says how much
   * is in use): a rebuild that cut them would have the next pushes grow them
   * again, copying, some 90 bytes per hold.
   */
  private at: number[] = [];
  private order: number[] = [];
  private items: (Hold | undefined)[] = [];
  private count = 0;
  private placed = 0;

  get size(): number {
    return this.count;
  }

  peek(): Hold | undefined {
    return this.count === 0 ? undefined : this.items[0];
  }

  push(hold: Hold): void {
    let i = this.count++;
    const at = hold.expiresAt;
    const order = this.placed++;
    if (i === this.items.length) {
      this.at.push(at);
      this.order.push(order);
      this.items.push(hold);
    }
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(at, order, this.at[parent]!, this.order[parent]!)) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, at, order, hold);
  }

  pop(): Hold | undefined {
    if (this.count === 0) return undefined;
    const top = this.items[0]!;
    const n = --this.count;
    const at = this.at[n]!;
    const order = this.order[n]!;
    const last = this.items[n]!;
    // The popped hold is not kept alive by the array's spare room.
    this.items[n] = undefined;
    if (n > 0) this.siftDown(0, at, order, last);
    return top;
  }

  /**
   * Replaces the contents with `holds`, taken to be in placement order. They
   * must be among the heap's holds, so they fit in its arrays.
   */
  rebuild(holds: Iterable<Hold>): void {
    let n = 0;
    for (const hold of holds) {
      assert(n < this.count, 'a rebuilt heap holds only holds it had');
      this.put(n, hold.expiresAt, n, hold);
      n++;
    }
    for (let i = n; i < this.count; i++) this.items[i] = undefined;
    this.count = n;
    this.placed = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, this.at[i]!, this.order[i]!, this.items[i]!);
  }

  /** Every hold in the heap, in no order; for checks. */
  contents(): readonly Hold[] {
    return this.items.slice(0, this.count) as Hold[];
  }

  private siftDown(i: number, at: number, order: number, hold: Hold): void {
    const n = this.count;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && less(this.at[right]!, this.order[right]!, this.at[left]!, this.order[left]!) ? right : left;
      if (!less(this.at[child]!, this.order[child]!, at, order)) break;
      this.move(child, i);
      i = child;
    }
    this.put(i, at, order, hold);
  }

  private move(from: number, to: number): void {
    this.at[to] = this.at[from]!;
    this.order[to] = this.order[from]!;
    this.items[to] = this.items[from]!;
  }

  private put(i: number, at: number, order: number, hold: Hold): void {
    this.at[i] = at;
    this.order[i] = order;
    this.items[i] = hold;
  }
}

function less(at: number, order: number, otherAt: number, otherOrder: number): boolean {
  return at < otherAt || (at === otherAt && order < otherOrder);
}
