import { Packr } from 'msgpackr';
import type { JournalBody, JournalEntry, SnapshotState } from '../inventory/types.ts';

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

export function encodeSnapshot(state: SnapshotState): Buffer {
  return packr.pack(state);
}

export function decodeSnapshot(bytes: Buffer): SnapshotState {
  return packr.unpack(bytes) as SnapshotState;
}
