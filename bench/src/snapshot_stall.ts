import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Packr } from 'msgpackr';
import { InventoryActor } from '../../engine/src/inventory/actor.ts';
import type { EventConfig, Outcome } from '../../engine/src/inventory/types.ts';
import type { Queryable } from '../../engine/src/journal/flush.ts';
import { GroupCommit, type JournalFlushes } from '../../engine/src/worker/group_commit.ts';
import { SnapshotWriter } from '../../engine/src/worker/snapshot_writer.ts';

/**
 * Does a snapshot stall a shard worker's answers (#12)? The worker's loop in
 * one process, no database: an actor with N open holds, GroupCommit with four
 * flushes in flight that each take `flushMs`, a snapshot writer whose write
 * takes `writeMs`; commands arrive `perMs` a millisecond (as the event loop
 * lets them), and after 500 ms one snapshot is taken as shard_worker.ts takes
 * it. Prints the answers' latency (command to release) before and around the
 * snapshot, and the longest turn of the loop (how long the worker stopped).
 * `--v1` encodes it as the worker did before #12: in one piece, on
 * the spot, in the version-1 format.
 *
 * Usage: node --import tsx bench/src/snapshot_stall.ts [holds=100000] [--v1]
 */
const holds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const oneGo = process.argv.includes('--v1');
const flushMs = 3;
const writeMs = 200;
const perMs = 5;

const eventId = randomUUID();
const typeId = randomUUID();
const config: EventConfig = { eventId, shard: 0, currency: 'EUR', perBuyerLimit: 100, holdTtlMs: 8 * 60_000, saleStartsAt: null, saleEndsAt: null, types: [{ typeId, price: 5_000, capacity: 10_000_000 }] };
const actor = InventoryActor.create(config);
const buyers = Array.from({ length: Math.ceil(holds / 60) + 100 }, () => randomUUID());
let n = 0;
const place = (now: number) => actor.handle({ kind: 'placeHold', eventId, typeId, qty: 1, buyer: buyers[n % buyers.length]!, key: `k-${n++}` }, now);
for (let i = 0; i < holds; i++) place(Date.now());

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const flushes: JournalFlushes = { flush: () => wait(flushMs) };
const snapshotClient = { query: async () => (await wait(writeMs), { rows: [{ ok: true }] }) } as unknown as Queryable;
const sentAt = new Map<number, number>();
const latencies: { at: number; ms: number }[] = [];
const release = (ids: number[], _outcomes: Outcome[]) => {
  const now = performance.now();
  for (const id of ids) latencies.push({ at: sentAt.get(id)!, ms: now - sentAt.get(id)! });
};
const writer = new SnapshotWriter(snapshotClient, (error) => { throw error; });
const commit = new GroupCommit(flushes, 4, 0, release, (error) => { throw error; }, writer);
const v1 = new Packr({ useRecords: false, moreTypes: false });

const started = performance.now();
let id = 0;
let snapshotAt = 0;
let last = started;
const gaps: { at: number; ms: number }[] = [];
while (performance.now() - started < 2_000) {
  const now = performance.now();
  gaps.push({ at: last, ms: now - last });
  last = now;
  for (let i = 0; i < perMs; i++) {
    sentAt.set(++id, performance.now());
    const { outcome, entries } = place(Date.now());
    commit.record(0, 1, entries);
    commit.answer(id, outcome);
  }
  if (snapshotAt === 0 && now - started >= 500) {
    snapshotAt = now;
    const state = actor.snapshot();
    if (oneGo) v1.pack(state);
    commit.snapshot(eventId, 0, 1, state);
  }
  commit.schedule();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
await commit.drain();

const stats = (from: number, to: number) => {
  const ms = latencies.filter((l) => l.at >= from && l.at < to).map((l) => l.ms).sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(1);
  const gap = Math.max(...gaps.filter((g) => g.at >= from && g.at < to).map((g) => g.ms));
  return `${ms.length} answers, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${ms[ms.length - 1]!.toFixed(1)} ms; longest loop turn ${gap.toFixed(1)} ms`;
};
console.log(`${holds} holds, snapshot ${oneGo ? 'encoded in one piece (version 1, before #12)' : 'encoded in turns (version 2)'}; ${writer.written} written`);
console.log(`  before the snapshot:        ${stats(started + 100, snapshotAt)}`);
console.log(`  the second from it:         ${stats(snapshotAt, snapshotAt + 1_000)}`);
