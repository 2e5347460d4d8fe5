import { Packr } from 'msgpackr';
import { assert } from '../assert.ts';
import type { Hold, JournalBody, JournalEntry, SnapshotState } from '../inventory/types.ts';

/*
 * The journal's bytes: plain msgpack maps (no msgpackr records), so any
 * msgpack reader can inspect a journal row or a snapshot.
 */
const packr = new Packr({ useRecords: false, moreTypes: false });

type Stored = { seq: number; body: JournalBody }[];

/** One event's entries of one flush, in seq order. */
export function encodeEntries(entries: JournalEntry[]): Buffer {
  return packr.pack(entries.map(({ seq, body }) => ({ seq, body })));
}

export function decodeEntries(eventId: string, bytes: Buffer): JournalEntry[] {
  return (packr.unpack(bytes) as Stored).map(({ seq, body }) => ({ eventId, seq, body }));
}

// ---- snapshots -----------------------------------------------------------

/*
 * A snapshot is one msgpack map. Version 1 (no `v`) was the SnapshotState as
 * is: every hold a map with its field names, ~210 bytes a hold. Version 2
 * (`v: 2`) writes each hold as a tuple, its type as an index into `types`:
 *
 *   [holdId, type, qty, buyer, price, placedAt, expiresAt, key, address?, basket?]
 *
 * (`address` is nil when only `basket` follows; a type not in `types`, which
 * the inventory never has, is written as its id). Both are read.
 *
 * Version 2 is written in pieces (`snapshotPieces`): the map's head, then the
 * holds, buyers and refunded holds `snapshotChunkItems` at a time, the arrays'
 * headers written by hand so that the pieces concatenate into one msgpack
 * document. The shard worker encodes a large snapshot across event-loop turns
 * (worker/snapshot_writer.ts), so it never stops the worker for longer than one
 * chunk.
 */
export const snapshotVersion = 2;

/** Items (holds, buyers, refunded holds) encoded in one piece. */
export const snapshotChunkItems = 1024;

type HoldTuple = [holdId: string, type: number | string, qty: number, buyer: string, price: number, placedAt: number, expiresAt: number, key: string | null, address?: string | null, basket?: string];

type StoredV2 = {
  v: 2;
  seq: number;
  types: SnapshotState['types'];
  holds: HoldTuple[];
  bought: [buyer: string, count: number][];
  refunded?: string[];
};

/** One piece of an encoded snapshot, and how many items it carries (for pacing). */
export type SnapshotPiece = { bytes: Buffer; items: number };

function arrayHeader(length: number): Buffer {
  if (length < 16) return Buffer.from([0x90 | length]);
  if (length < 0x10000) return Buffer.from([0xdc, length >>> 8, length & 0xff]);
  const header = Buffer.alloc(5);
  header[0] = 0xdd;
  header.writeUInt32BE(length, 1);
  return header;
}

/** A packed array's elements, without its header. */
function arrayBody(packed: Buffer): Buffer {
  const first = packed[0]!;
  if (first >= 0x90 && first <= 0x9f) return packed.subarray(1);
  if (first === 0xdc) return packed.subarray(3);
  assert(first === 0xdd, 'a packed array');
  return packed.subarray(5);
}

function holdTuple(hold: Hold, typeIndex: Map<string, number>): HoldTuple {
  const tuple: HoldTuple = [hold.holdId, typeIndex.get(hold.typeId) ?? hold.typeId, hold.qty, hold.buyer, hold.price, hold.placedAt, hold.expiresAt, hold.key];
  if (hold.address !== undefined || hold.basket !== undefined) tuple.push(hold.address ?? null);
  if (hold.basket !== undefined) tuple.push(hold.basket);
  return tuple;
}

function holdOf(tuple: HoldTuple, types: SnapshotState['types']): Hold {
  const [holdId, type, qty, buyer, price, placedAt, expiresAt, key, address, basket] = tuple;
  const hold: Hold = { holdId, typeId: typeof type === 'number' ? types[type]!.typeId : type, qty, buyer, price, placedAt, expiresAt, key };
  // Absent, not undefined, as on a live hold.
  if (address !== undefined && address !== null) hold.address = address;
  if (basket !== undefined) hold.basket = basket;
  return hold;
}

/** `items` in pieces of `chunk`, each packed as the elements of one array (after `header`). */
function* arrayPieces<T, U>(header: Buffer, items: T[], chunk: number, map: (item: T) => U): Generator<SnapshotPiece> {
  yield { bytes: Buffer.concat([header, arrayHeader(items.length)]), items: 0 };
  for (let i = 0; i < items.length; i += chunk) {
    const part = items.slice(i, i + chunk);
    yield { bytes: arrayBody(packr.pack(part.map(map))), items: part.length };
  }
}

/**
 * The snapshot as version 2, in pieces that concatenate into one msgpack map.
 * Reads `state` as it goes: its arrays and holds must not change until the
 * last piece (toSnapshot makes arrays of their own; a hold never changes).
 */
export function* snapshotPieces(state: SnapshotState, chunk = snapshotChunkItems): Generator<SnapshotPiece> {
  const keys = state.refunded === undefined ? 5 : 6;
  const typeIndex = new Map(state.types.map((t, i) => [t.typeId, i]));
  yield {
    bytes: Buffer.concat([Buffer.from([0x80 | keys]), packr.pack('v'), packr.pack(snapshotVersion), packr.pack('seq'), packr.pack(state.seq), packr.pack('types'), packr.pack(state.types)]),
    items: state.types.length,
  };
  yield* arrayPieces(packr.pack('holds'), state.holds, chunk, (hold) => holdTuple(hold, typeIndex));
  yield* arrayPieces(packr.pack('bought'), state.bought, chunk, (pair) => pair);
  if (state.refunded !== undefined) yield* arrayPieces(packr.pack('refunded'), state.refunded, chunk, (holdId) => holdId);
}

/** The snapshot as version 2, in one go. */
export function encodeSnapshot(state: SnapshotState): Buffer {
  return Buffer.concat([...snapshotPieces(state)].map((piece) => piece.bytes));
}

/** Reads a snapshot of either version. */
export function decodeSnapshot(bytes: Buffer): SnapshotState {
  const stored = packr.unpack(bytes) as SnapshotState | StoredV2;
  if (!('v' in stored)) return stored;
  assert(stored.v === snapshotVersion, `snapshot version ${String(stored.v)} is not known`);
  const state: SnapshotState = { seq: stored.seq, types: stored.types, holds: stored.holds.map((t) => holdOf(t, stored.types)), bought: stored.bought };
  if (stored.refunded !== undefined) state.refunded = stored.refunded;
  return state;
}
