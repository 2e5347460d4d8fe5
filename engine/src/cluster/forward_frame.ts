import { Packr } from 'msgpackr';
import { forwardFrameBytesMax } from '../constants.ts';
import type { Command, Outcome } from '../inventory/types.ts';

/*
 * The forwarding wire, shared by forward_server.ts and forward_client.ts.
 * A frame is a 4-byte big-endian length, then that many bytes of msgpack: a
 * request batch `{ ids, cmds }` or a response batch `{ ids, outcomes }`.
 * Ids are the client's; the server only echoes them. Its limits are in
 * constants.ts (forwardFrameBytesMax and the forward* below it).
 */

export type RequestBatch = { ids: number[]; cmds: Command[] };
export type ResponseBatch = { ids: number[]; outcomes: Outcome[] };

const headerBytes = 4;

/* Records send each object shape once per frame, then only values: batches of alike commands shrink. */
const packr = new Packr({ useRecords: true, moreTypes: false });

/**
 * One frame in a Buffer of its own. msgpackr returns a view of its shared,
 * module-level buffer, which the next pack anywhere overwrites; the socket
 * keeps what it is given until it is flushed, so the bytes are copied here,
 * once, next to the header.
 */
function frameOf(value: unknown): Buffer {
  const payload = packr.pack(value);
  const frame = Buffer.allocUnsafe(headerBytes + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, headerBytes);
  return frame;
}

/**
 * Encodes `ids` with their `items` (commands or outcomes) into frames no
 * larger than `forwardFrameBytesMax`, halving a batch that would exceed it.
 * An item too large to travel even alone is returned in `oversized` for the
 * caller to answer; it is in no frame.
 */
export function encodeBatches<K extends 'cmds' | 'outcomes'>(
  key: K,
  ids: number[],
  items: unknown[],
): { frames: Buffer[]; oversized: number[] } {
  const frames: Buffer[] = [];
  const oversized: number[] = [];
  const encode = (from: number, to: number): void => {
    const frame = frameOf({ ids: ids.slice(from, to), [key]: items.slice(from, to) });
    if (frame.length - headerBytes <= forwardFrameBytesMax) {
      frames.push(frame);
    } else if (to - from === 1) {
      oversized.push(ids[from]!);
    } else {
      const mid = from + Math.floor((to - from) / 2);
      encode(from, mid);
      encode(mid, to);
    }
  };
  if (ids.length > 0) encode(0, ids.length);
  return { frames, oversized };
}

/** Decodes a frame's payload; throws on bytes that are not msgpack. */
export function decode(payload: Uint8Array): unknown {
  return packr.unpack(payload);
}

function isIds(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((id) => Number.isSafeInteger(id));
}

function isObjects(value: unknown, length: number): value is object[] {
  return Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'object' && v !== null);
}

/** The shape of a request, checked; the commands' fields are the handler's to validate. Null when malformed. */
export function asRequest(value: unknown): RequestBatch | null {
  if (typeof value !== 'object' || value === null) return null;
  const { ids, cmds } = value as Partial<RequestBatch>;
  if (!isIds(ids) || !isObjects(cmds, ids.length)) return null;
  if (!cmds.every((cmd) => typeof (cmd as { kind?: unknown }).kind === 'string')) return null;
  return { ids, cmds };
}

export function asResponse(value: unknown): ResponseBatch | null {
  if (typeof value !== 'object' || value === null) return null;
  const { ids, outcomes } = value as Partial<ResponseBatch>;
  if (!isIds(ids) || !isObjects(outcomes, ids.length)) return null;
  if (!outcomes.every((o) => typeof (o as { ok?: unknown }).ok === 'boolean')) return null;
  return { ids, outcomes };
}

/**
 * Cuts a byte stream into frame payloads. A frame inside one chunk is a view
 * of that chunk (no copy); a frame spread over chunks is gathered into one
 * buffer sized from its header, so a large frame costs one copy, not one per
 * chunk. Once it has failed (a length over the bound) it stays failed.
 */
export class FrameReader {
  private readonly header = Buffer.alloc(headerBytes);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  failed: string | null = null;

  /** Calls `onFrame` for each complete payload; returns an error message, or null. */
  push(chunk: Buffer, onFrame: (payload: Uint8Array) => void): string | null {
    let at = 0;
    while (at < chunk.length && this.failed === null) {
      if (this.body === null) {
        // Fast path: a whole frame sits in the chunk.
        if (this.headerFill === 0 && chunk.length - at >= headerBytes) {
          const length = chunk.readUInt32BE(at);
          if (length > forwardFrameBytesMax) return this.fail(length);
          if (chunk.length - at - headerBytes >= length) {
            onFrame(chunk.subarray(at + headerBytes, at + headerBytes + length));
            at += headerBytes + length;
            continue;
          }
        }
        const take = Math.min(headerBytes - this.headerFill, chunk.length - at);
        chunk.copy(this.header, this.headerFill, at, at + take);
        this.headerFill += take;
        at += take;
        if (this.headerFill < headerBytes) break;
        const length = this.header.readUInt32BE(0);
        if (length > forwardFrameBytesMax) return this.fail(length);
        this.body = Buffer.allocUnsafe(length);
        this.bodyFill = 0;
      }
      const take = Math.min(this.body.length - this.bodyFill, chunk.length - at);
      chunk.copy(this.body, this.bodyFill, at, at + take);
      this.bodyFill += take;
      at += take;
      if (this.bodyFill === this.body.length) {
        const body = this.body;
        this.body = null;
        this.headerFill = 0;
        onFrame(body);
      }
    }
    return this.failed;
  }

  private fail(length: number): string {
    this.failed = `frame of ${length} bytes exceeds ${forwardFrameBytesMax}`;
    return this.failed;
  }
}
