import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot } from '../journal/codec.ts';
import { pack, unpack } from './wire.ts';

describe('wire frames', () => {
  it('round-trip', () => {
    const value = { ids: [1, 2], cmds: [{ kind: 'placeHold', eventId: 'e', qty: 1 }, { kind: 'placeHold', eventId: 'f', qty: 2 }] };
    expect(unpack(pack(value))).toEqual(value);
  });

  it('own their buffer: transferring one leaves other msgpackr output (journal bytes) intact', () => {
    const state = { seq: 7, types: [{ typeId: 't', capacity: 10, sold: 1 }], holds: [], bought: [] as [string, number][] };
    const journal = encodeSnapshot(state);
    const frame = pack({ ids: [1], outcomes: [{ ok: true, kind: 'held' }] });
    expect(frame.byteOffset).toBe(0);
    expect(frame.buffer.byteLength).toBe(frame.byteLength);
    const { port1 } = new MessageChannel();
    port1.postMessage({ frame }, [frame.buffer as ArrayBuffer]);
    port1.close();
    expect(frame.byteLength).toBe(0);
    expect(decodeSnapshot(Buffer.concat([journal]))).toEqual(state);
  });
});
