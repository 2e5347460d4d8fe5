import { describe, expect, it } from 'vitest';
import { InvariantError } from '../assert.ts';
import type { Clock } from '../clock.ts';
import { flushPipelineEntriesMin } from '../constants.ts';
import type { JournalEntry, Outcome } from '../inventory/types.ts';
import { databaseFlushes, GroupCommit } from './group_commit.ts';
import { SnapshotWriter } from './snapshot_writer.ts';

const entry = (seq: number): JournalEntry => ({ eventId: '00000000-0000-4000-8000-000000000001', seq, body: { kind: 'capacity_changed', typeId: 't', capacity: seq } });
const ok: Outcome = { ok: true, kind: 'reconfigured' };
/** Enough entries for a flush of their own while another is in flight. */
const batchOf = (n: number): JournalEntry[] => Array.from({ length: flushPipelineEntriesMin }, (_, i) => entry((n - 1) * flushPipelineEntriesMin + i + 1));

type Call = { text: string; resolve: () => void; reject: (e: Error) => void };

/** A database client whose flushes finish when the test says so; several may share one list of calls. */
function fakeClient(calls: Call[] = []) {
  const client = {
    query: (q: { text: string }) =>
      new Promise((resolve, reject) => calls.push({ text: q.text, resolve: () => resolve({ rows: [{ ok: true, journaled: 1, ticketed: 0 }] }), reject })),
  };
  return { client: client as never, calls };
}

/** A pool of `n` connections: flushes run at once, their calls listed in the order they began. */
function fakeClients(n: number) {
  const { client, calls } = fakeClient();
  return { db: client, n, calls };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('releases answers only after the flush that carries them commits, in order', async () => {
    const { client, calls } = fakeClient();
    const released: number[][] = [];
    const commit = new GroupCommit(databaseFlushes(client), 1, 0, (ids) => released.push(ids), () => {});
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
    const commit = new GroupCommit(databaseFlushes(client), 1, 0, (ids) => released.push(ids), (e) => fatal.push(e));
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

  it('lets entries wait for a connection when they join a flush scheduled for answers alone (found by the simulation)', async () => {
    const { client, calls } = fakeClient();
    const timers: (() => void)[] = [];
    const clock: Clock = { now: () => 0, after: (_ms, fn) => timers.push(fn), afterUnref: () => {}, every: () => () => {} };
    const released: number[][] = [];
    const fatal: unknown[] = [];
    const commit = new GroupCommit(databaseFlushes(client), 1, 0, (ids) => released.push(ids), (e) => fatal.push(e), null, { clock });
    commit.record(1, 7, [entry(1)]);
    commit.answer(1, ok);
    commit.schedule();
    timers.shift()!(); // the first flush takes the only connection
    expect(calls).toHaveLength(1);
    commit.answer(2, ok); // an answer alone needs no connection: a flush is scheduled for it
    commit.schedule();
    commit.record(1, 7, [entry(2)]); // entries arrive before that flush runs
    commit.answer(3, ok);
    timers.shift()!(); // it used to start a second write on the busy connection (an assertion, and the worker, died)
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1]]);
    timers.shift()!(); // the freed connection takes what waited
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1], [2, 3]]);
    expect(fatal).toEqual([]);
  });

  it('lets a busy worker\'s small batch grow until intervalMs after the last flush began; a quiet or full one goes at once', async () => {
    const { client, calls } = fakeClient();
    let now = 100;
    const delays: number[] = [];
    const timers: (() => void)[] = [];
    const clock: Clock = { now: () => now, after: (ms, fn) => { delays.push(ms); timers.push(fn); }, afterUnref: () => {}, every: () => () => {} };
    const released: number[][] = [];
    const commit = new GroupCommit(databaseFlushes(client), 2, 0, (ids) => released.push(ids), () => {}, null, { clock, intervalMs: 2 });
    commit.record(1, 7, [entry(1)]);
    commit.answer(1, ok);
    commit.schedule();
    expect(delays).toEqual([0]); // no flush before: at once
    timers.shift()!();
    calls[0]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1]]);
    now = 100.5; // the next entry comes half a millisecond after that flush began
    commit.record(1, 7, [entry(2)]);
    commit.answer(2, ok);
    commit.schedule();
    expect(delays).toEqual([0, 2]); // waits the 1.5 ms left, rounded up
    commit.record(1, 7, [entry(3)]);
    commit.answer(3, ok);
    commit.schedule(); // already scheduled: joins that flush
    now = 102;
    timers.shift()!();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1], [2, 3]]);
    now = 110; // quiet since: at once
    commit.record(1, 7, [entry(4)]);
    commit.answer(4, ok);
    commit.schedule();
    expect(delays).toEqual([0, 2, 0]);
    timers.shift()!();
    calls[2]!.resolve();
    await tick();
    await tick();
    now = 110.1; // busy again, but a batch big enough for a flush of its own does not wait
    commit.record(1, 7, batchOf(2));
    commit.answer(5, ok);
    commit.schedule();
    expect(delays).toEqual([0, 2, 0, 0]);
    timers.shift()!();
    calls[3]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1], [2, 3], [4], [5]]);
  });

  it('refuses entries of two epochs of one shard in one batch', () => {
    const { client } = fakeClient();
    const commit = new GroupCommit(databaseFlushes(client), 1, 0, () => {}, () => {});
    commit.record(3, 4, [entry(1)]);
    expect(() => commit.record(3, 5, [entry(2)])).toThrow(InvariantError);
  });

  it('keeps several flushes in flight and releases their answers in flush order, whatever order they commit in', async () => {
    const { db, n, calls } = fakeClients(3);
    const released: number[][] = [];
    const commit = new GroupCommit(databaseFlushes(db), n, 0, (ids) => released.push(ids), () => {});
    for (const seq of [1, 2, 3]) {
      commit.record(1, 7, batchOf(seq));
      commit.answer(seq, ok);
      commit.schedule();
      await tick();
    }
    expect(calls).toHaveLength(3);
    calls[2]!.resolve();
    calls[1]!.resolve();
    await tick();
    expect(released).toEqual([]);
    calls[0]!.resolve();
    await tick();
    expect(released).toEqual([[1], [2], [3]]);
  });

  it('holds an answer without entries behind the flushes begun before it', async () => {
    const { db, n, calls } = fakeClients(2);
    const released: number[][] = [];
    const commit = new GroupCommit(databaseFlushes(db), n, 0, (ids) => released.push(ids), () => {});
    commit.record(1, 7, batchOf(1));
    commit.answer(1, ok);
    commit.schedule();
    await tick();
    commit.answer(2, ok); // a read: nothing to write, but it saw entry 1
    commit.schedule();
    await tick();
    expect(released).toEqual([]);
    calls[0]!.resolve();
    await tick();
    expect(released).toEqual([[1], [2]]);
  });

  it('never releases what follows a failed flush, even when it committed', async () => {
    const { db, n, calls } = fakeClients(2);
    const released: number[][] = [];
    const fatal: unknown[] = [];
    const commit = new GroupCommit(databaseFlushes(db), n, 0, (ids) => released.push(ids), (e) => fatal.push(e));
    for (const seq of [1, 2]) {
      commit.record(1, 7, batchOf(seq));
      commit.answer(seq, ok);
      commit.schedule();
      await tick();
    }
    calls[1]!.resolve();
    await tick();
    calls[0]!.reject(new Error('connection lost'));
    await tick();
    await tick();
    expect(released).toEqual([]);
    expect(fatal).toHaveLength(1);
  });

  it('waits for a free connection when every one carries a flush', async () => {
    const { db, n, calls } = fakeClients(2);
    const released: number[][] = [];
    const commit = new GroupCommit(databaseFlushes(db), n, 0, (ids) => released.push(ids), () => {});
    for (const seq of [1, 2, 3, 4]) {
      commit.record(1, 7, batchOf(seq));
      commit.answer(seq, ok);
      commit.schedule();
      await tick();
    }
    expect(calls).toHaveLength(2);
    calls[0]!.resolve();
    await tick();
    await tick();
    expect(released).toEqual([[1]]);
    expect(calls).toHaveLength(3);
    calls[1]!.resolve();
    calls[2]!.resolve();
    await tick();
    expect(released).toEqual([[1], [2], [3, 4]]);
  });

  it('writes a snapshot only once the flush with its last entry, and every flush before it, committed', async () => {
    const { db, n, calls } = fakeClients(2);
    const snapshotCalls: Call[] = [];
    const snapshots = new SnapshotWriter(fakeClient(snapshotCalls).client, () => {});
    const commit = new GroupCommit(databaseFlushes(db), n, 0, () => {}, () => {}, snapshots);
    commit.record(1, 7, batchOf(1));
    commit.schedule();
    await tick();
    commit.record(1, 7, batchOf(2));
    commit.snapshot(entry(2).eventId, 1, 7, { seq: 2 * flushPipelineEntriesMin, types: [], holds: [], bought: [] });
    commit.schedule();
    await tick();
    calls[1]!.resolve();
    await tick();
    expect(snapshotCalls).toHaveLength(0);
    calls[0]!.resolve();
    await tick();
    expect(snapshotCalls).toHaveLength(1);
    expect(snapshotCalls[0]!.text).toContain('inventory_snapshots');
  });

  it('starts no second flush for a few entries: they wait for the one in flight', async () => {
    const { db, n, calls } = fakeClients(4);
    const released: number[][] = [];
    const commit = new GroupCommit(databaseFlushes(db), n, 0, (ids) => released.push(ids), () => {});
    commit.record(1, 7, [entry(1)]);
    commit.answer(1, ok);
    commit.schedule();
    await tick();
    commit.record(1, 7, [entry(2)]);
    commit.answer(2, ok);
    commit.schedule();
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await tick();
    await tick();
    expect(calls).toHaveLength(2);
    expect(released).toEqual([[1]]);
  });
});
