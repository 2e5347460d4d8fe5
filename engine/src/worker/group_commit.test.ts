import { describe, expect, it } from 'vitest';
import { InvariantError } from '../assert.ts';
import type { JournalEntry, Outcome } from '../inventory/types.ts';
import { GroupCommit } from './group_commit.ts';

const entry = (seq: number): JournalEntry => ({ eventId: '00000000-0000-4000-8000-000000000001', seq, body: { kind: 'capacity_changed', typeId: 't', capacity: seq } });
const ok: Outcome = { ok: true, kind: 'reconfigured' };

/** A database client whose flushes finish when the test says so. */
function fakeClient() {
  const calls: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const client = {
    query: () => new Promise((resolve, reject) => calls.push({ resolve: () => resolve({ rows: [{ ok: true, journaled: 1, ticketed: 0 }] }), reject })),
  };
  return { client: client as never, calls };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('releases answers only after the flush that carries them commits, in order', async () => {
    const { client, calls } = fakeClient();
    const released: number[][] = [];
    const commit = new GroupCommit(client, 0, (ids) => released.push(ids), () => {});
    commit.record(1, 7, [entry(1)]);
    commit.answer(1, ok);
    commit.schedule();
    await tick();
    // More arrives while the first flush is in flight: it waits for the next batch.
    commit.record(1, 7, [entry(2)]);
    commit.answer(2, ok);
    commit.record(1, 7, [entry(3)]);
    commit.answer(3, ok);
    commit.schedule();
    await tick();
    expect(calls).toHaveLength(1);
    expect(released).toEqual([]);
    calls[0]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1]]);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1], [2, 3]]);
  });

  it('releases nothing and reports a failed flush as fatal', async () => {
    const { client, calls } = fakeClient();
    const released: number[][] = [];
    const fatal: unknown[] = [];
    const commit = new GroupCommit(client, 0, (ids) => released.push(ids), (e) => fatal.push(e));
    commit.record(2, 1, [entry(1)]);
    commit.answer(9, ok);
    commit.schedule();
    await tick();
    calls[0]!.reject(new Error('connection lost'));
    await tick();
    await tick();
    expect(released).toEqual([]);
    expect(fatal).toHaveLength(1);
  });

  it('refuses entries of two epochs of one shard in one batch', () => {
    const { client } = fakeClient();
    const commit = new GroupCommit(client, 0, () => {}, () => {});
    commit.record(3, 4, [entry(1)]);
    expect(() => commit.record(3, 5, [entry(2)])).toThrow(InvariantError);
  });
});
