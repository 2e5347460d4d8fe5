import { describe, expect, it } from 'vitest';
import { decodeSnapshot, snapshotChunkItems } from '../journal/codec.ts';
import { FencedError } from '../journal/flush.ts';
import type { Hold, SnapshotState } from '../inventory/types.ts';
import { SnapshotWriter } from './snapshot_writer.ts';

type Write = { values: unknown[]; resolve: (ok: boolean) => void };

/** A snapshot connection whose writes finish when the test says so. */
function fakeClient() {
  const writes: Write[] = [];
  const client = {
    query: (q: { values: unknown[] }) => new Promise((resolve) => writes.push({ values: q.values, resolve: (ok) => resolve({ rows: [{ ok }] }) })),
  };
  return { client: client as never, writes };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const hold = (n: number): Hold => ({ holdId: `h-${n}`, typeId: 't', qty: 1, buyer: `b-${n % 10}`, price: 100, placedAt: n, expiresAt: n + 1, key: `k-${n}` });
const stateAt = (seq: number, holds: number): SnapshotState => ({ seq, types: [{ typeId: 't', capacity: 1_000_000, sold: 0 }], holds: Array.from({ length: holds }, (_, n) => hold(n)), bought: [] });
const row = (eventId: string, state: SnapshotState) => ({ eventId, shard: 3, epoch: 7, seq: state.seq, state });

describe('SnapshotWriter', () => {
  it('encodes a large snapshot across turns, then writes the bytes of the state it was given', async () => {
    const { client, writes } = fakeClient();
    const writer = new SnapshotWriter(client, (error) => { throw error; });
    const state = stateAt(50, 3 * snapshotChunkItems);
    writer.add(row('e', state), 1, 1);
    expect(writer.busy).toBe(true);
    // Encoding takes more than one turn: nothing is written after the first.
    await tick();
    expect(writes).toHaveLength(0);
    while (writes.length === 0) await tick();
    const [shards, epochs, eventId, seq, bytes] = writes[0]!.values as [number[], number[], string, number, Buffer];
    expect([shards, epochs, eventId, seq]).toEqual([[3], [7], 'e', 50]);
    expect(decodeSnapshot(bytes)).toEqual(state);
    writes[0]!.resolve(true);
    await tick();
    expect(writer.busy).toBe(false);
    expect(writer.written).toBe(1);
  });

  it('waits for the flush it needs, and of several ready snapshots of one event writes only the latest', async () => {
    const { client, writes } = fakeClient();
    const writer = new SnapshotWriter(client, (error) => { throw error; });
    writer.add(row('e', stateAt(10, 2)), 2, 0);
    writer.add(row('e', stateAt(20, 2)), 3, 0);
    await tick();
    expect(writes).toHaveLength(0);
    writer.released(3);
    await tick();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.values[3]).toBe(20);
    writes[0]!.resolve(true);
    await tick();
    expect(writes).toHaveLength(1);
    expect(writer.written).toBe(1);
  });

  it('stops at a fenced write: reports it, encodes and writes nothing more', async () => {
    const { client, writes } = fakeClient();
    const fatal: unknown[] = [];
    const writer = new SnapshotWriter(client, (error) => fatal.push(error));
    writer.add(row('a', stateAt(5, 1)), 0, 0);
    writer.add(row('b', stateAt(6, 4 * snapshotChunkItems)), 0, 0);
    await tick();
    writes[0]!.resolve(false);
    for (let i = 0; i < 10; i++) await tick();
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toBeInstanceOf(FencedError);
    expect(writes).toHaveLength(1);
    expect(writer.busy).toBe(false);
  });
});
