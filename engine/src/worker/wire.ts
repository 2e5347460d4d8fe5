import { Packr } from 'msgpackr';

/*
 * Records (`useRecords`) send each object shape once per frame and then only
 * values, which suits batches of commands that all look alike.
 */
const packr = new Packr({ useRecords: true, moreTypes: false });

/**
 * A frame in an ArrayBuffer of its own, safe to transfer. msgpackr writes
 * every Packr's output (this one's and the journal codec's) into one shared,
 * module-level buffer and returns a view of it: transferring that view's
 * buffer detached the journal bytes still waiting for their flush, and the
 * worker died on "Cannot perform %TypedArray%.prototype.set on a detached
 * ArrayBuffer" under load. The copy is one memcpy of the frame.
 */
export function pack(value: unknown): Uint8Array {
  return new Uint8Array(packr.pack(value));
}

export function unpack<T>(frame: Uint8Array): T {
  return packr.unpack(frame) as T;
}
