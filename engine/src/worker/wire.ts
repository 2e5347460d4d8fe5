import { Packr } from 'msgpackr';

/*
 * Records (`useRecords`) send each object shape once per frame and then only
 * values, which suits batches of commands that all look alike.
 */
const packr = new Packr({ useRecords: true, moreTypes: false });

export function pack(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function unpack<T>(frame: Uint8Array): T {
  return packr.unpack(frame) as T;
}
