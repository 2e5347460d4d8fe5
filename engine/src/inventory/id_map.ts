import { assert } from '../assert.ts';

/**
 * A map from ids to values, in insertion order, for what the actor keeps by
 * hold id while holds come and go: the open holds, and their answers' slots.
 * It answers `get`, `set`, `has`, `delete`, `size` and iteration as a Map does.
 *
 * Why not a Map: a Map whose entries come and go rebuilds its table every so
 * many inserts, and once the Map has lived long enough to be in V8's old
 * generation, each new table is allocated there too. A dropped table still
 * points at the young holds it held, and the scavenger, which cannot tell a
 * dead old object from a live one, keeps them alive and promotes them, with
 * their ids and the id batches those keep. On the mixed workload that was
 * every hold placed: 2.4 MB promoted per scavenge, 7 ms pauses every 20 ms,
 * a quarter of the actor's thread (#12). Here the arrays are compacted in
 * place and replaced only to grow, after which the old ones are cleared.
 *
 * Entries sit in parallel arrays in insertion order; a deleted one leaves a
 * hole ('' as its id) until the arrays are full, then the live entries are
 * moved down in place and the table rebuilt from their kept hashes. The table
 * is open addressing (linear probing) over twice the entries' capacity, so it
 * is at most half full; a hole's bucket keeps pointing at the hole, which no
 * id matches, until the rebuild.
 *
 * Ids are hashed from their last `hashedChars` characters: Tickr's hold ids
 * end in 12 random characters. Only the actor adds ids (ones it made), so a
 * client cannot fill the table with colliding ones; a looked-up id that
 * collides costs its own probe, nothing more.
 */
export class IdMap<V> implements Iterable<[string, V]> {
  #ids: string[];
  #values: (V | undefined)[];
  #hashes: Int32Array;
  /** Entry index by bucket; `empty` where none. */
  #table: Int32Array;
  #mask: number;
  /** Entries used, holes included: the next insert goes here. */
  #end = 0;
  #size = 0;

  constructor(capacity = 8) {
    assert(capacity >= 1 && (capacity & (capacity - 1)) === 0, 'an IdMap capacity is a power of two');
    this.#ids = new Array<string>(capacity).fill('');
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#hashes = new Int32Array(capacity);
    this.#table = new Int32Array(2 * capacity).fill(empty);
    this.#mask = 2 * capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  get(id: string): V | undefined {
    const at = this.#find(id, hashOf(id));
    return at === -1 ? undefined : this.#values[at];
  }

  has(id: string): boolean {
    return this.#find(id, hashOf(id)) !== -1;
  }

  set(id: string, value: V): this {
    const hash = hashOf(id);
    const at = this.#find(id, hash);
    if (at !== -1) {
      this.#values[at] = value;
      return this;
    }
    assert(id !== '', 'an IdMap id is never empty');
    if (this.#end === this.#ids.length) this.#makeRoom();
    const entry = this.#end++;
    this.#ids[entry] = id;
    this.#values[entry] = value;
    this.#hashes[entry] = hash;
    this.#link(entry, hash);
    this.#size++;
    return this;
  }

  delete(id: string): boolean {
    const at = this.#find(id, hashOf(id));
    if (at === -1) return false;
    this.#ids[at] = '';
    this.#values[at] = undefined;
    this.#size--;
    return true;
  }

  /** The values, in insertion order, in an array of their own: the map may change while the caller walks it. */
  values(): V[] {
    const out = new Array<V>(this.#size);
    const ids = this.#ids;
    let n = 0;
    for (let i = 0; i < this.#end; i++) if (ids[i] !== '') out[n++] = this.#values[i]!;
    return out;
  }

  keys(): string[] {
    const out = new Array<string>(this.#size);
    const ids = this.#ids;
    let n = 0;
    for (let i = 0; i < this.#end; i++) if (ids[i] !== '') out[n++] = ids[i]!;
    return out;
  }

  entries(): [string, V][] {
    const out = new Array<[string, V]>(this.#size);
    const ids = this.#ids;
    let n = 0;
    for (let i = 0; i < this.#end; i++) if (ids[i] !== '') out[n++] = [ids[i]!, this.#values[i]!];
    return out;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()[Symbol.iterator]();
  }

  #find(id: string, hash: number): number {
    const table = this.#table;
    const mask = this.#mask;
    for (let bucket = hash & mask; ; bucket = (bucket + 1) & mask) {
      const entry = table[bucket]!;
      if (entry === empty) return -1;
      if (this.#hashes[entry] === hash && this.#ids[entry] === id) return entry;
    }
  }

  #link(entry: number, hash: number): void {
    const table = this.#table;
    const mask = this.#mask;
    let bucket = hash & mask;
    while (table[bucket] !== empty) bucket = (bucket + 1) & mask;
    table[bucket] = entry;
  }

  /** The arrays are full: move the live entries down, into arrays twice as large when they fill more than half. */
  #makeRoom(): void {
    const capacity = this.#ids.length;
    if (this.#size > capacity >>> 1) this.#grow(2 * capacity);
    else this.#compact();
  }

  #compact(): void {
    const kept = this.#moveLive(this.#ids, this.#values, this.#hashes);
    this.#ids.fill('', kept, this.#end);
    this.#values.fill(undefined, kept, this.#end);
    this.#end = kept;
    this.#relink();
  }

  #grow(capacity: number): void {
    const ids = new Array<string>(capacity).fill('');
    const values = new Array<V | undefined>(capacity).fill(undefined);
    const hashes = new Int32Array(capacity);
    const kept = this.#moveLive(ids, values, hashes);
    // The old arrays are garbage from here on; cleared, they keep no young value alive through the scavenger's remembered slots.
    this.#ids.fill('');
    this.#values.fill(undefined);
    this.#ids = ids;
    this.#values = values;
    this.#hashes = hashes;
    this.#table = new Int32Array(2 * capacity);
    this.#mask = 2 * capacity - 1;
    this.#end = kept;
    this.#relink();
  }

  /** Copies the live entries, in order, to the start of the given arrays (the map's own, for a compaction: an entry only moves down); returns how many. */
  #moveLive(ids: string[], values: (V | undefined)[], hashes: Int32Array): number {
    let kept = 0;
    for (let i = 0; i < this.#end; i++) {
      if (this.#ids[i] === '') continue;
      ids[kept] = this.#ids[i]!;
      values[kept] = this.#values[i];
      hashes[kept] = this.#hashes[i]!;
      kept++;
    }
    return kept;
  }

  #relink(): void {
    this.#table.fill(empty);
    for (let i = 0; i < this.#end; i++) this.#link(i, this.#hashes[i]!);
  }
}

const empty = -1;
/** Characters hashed, from the end of the id. */
const hashedChars = 8;

/** FNV-1a over the id's last `hashedChars` characters and its length. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5 ^ id.length;
  const from = id.length > hashedChars ? id.length - hashedChars : 0;
  for (let i = from; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  // The table takes the low bits; fold the high ones in.
  return (hash ^ (hash >>> 15)) | 0;
}
