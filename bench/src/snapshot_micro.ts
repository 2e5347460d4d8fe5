import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Packr } from 'msgpackr';
import { snapshotEveryEntries } from '../../engine/src/constants.ts';
import { decodeSnapshot, encodeSnapshot } from '../../engine/src/journal/codec.ts';
import { InventoryActor } from '../../engine/src/inventory/actor.ts';
import type { EventConfig } from '../../engine/src/inventory/types.ts';
import { encodeInTurns } from '../../engine/src/worker/snapshot_writer.ts';

/**
 * What a snapshot of one large event costs (#12), in-process, no database:
 * an actor with N open holds placed as the `holds` scenario places them (one
 * ticket each, an idempotency key each, a buyer per ~67 holds), then its
 * snapshot taken and encoded five times. Prints, per size, the bytes (the
 * version-1 format, a map per hold, beside the one written now), toSnapshot,
 * encoding in one go, encoding in turns as the shard worker does (its total
 * and its longest turn: how long the worker's thread stops for it), decoding,
 * and whether the worker's trigger (every max(TICKR_SNAPSHOT_EVERY, open holds
 * + buyers) entries) fired while the holds were placed.
 *
 * Usage: node --import tsx bench/src/snapshot_micro.ts [50000,100000,200000]
 */
const sizes = (process.argv[2] ?? '50000,100000,200000').split(',').map(Number);
const v1 = new Packr({ useRecords: false, moreTypes: false });
const eventId = randomUUID();
const typeId = randomUUID();
const config: EventConfig = { eventId, shard: 0, currency: 'EUR', perBuyerLimit: 100, holdTtlMs: 8 * 60_000, saleStartsAt: null, saleEndsAt: null, types: [{ typeId, price: 5_000, capacity: 10_000_000 }] };
const actor = InventoryActor.create(config);
const buyers = Array.from({ length: Math.ceil((Math.max(...sizes) * 1.5) / 100) }, () => randomUUID());
const keyPrefix = randomUUID().slice(0, 8);
let now = Date.now();
let placed = 0;
let snapshotSeq = 0;
let fired = 0;

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;

for (const n of sizes) {
  while (placed < n) {
    actor.handle({ kind: 'placeHold', eventId, typeId, qty: 1, buyer: buyers[placed % buyers.length]!, key: `${keyPrefix}-${placed}` }, now);
    placed++;
    if (actor.seq - snapshotSeq >= Math.max(snapshotEveryEntries, actor.snapshotItems)) {
      snapshotSeq = actor.seq;
      fired++;
    }
    if (placed % 1000 === 0) now++;
  }
  const take: number[] = [];
  const once: number[] = [];
  const turns: number[] = [];
  const longest: number[] = [];
  const decode: number[] = [];
  let bytes = 0;
  let v1Bytes = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const state = actor.snapshot();
    take.push(performance.now() - t0);
    const t1 = performance.now();
    const encoded = encodeSnapshot(state);
    once.push(performance.now() - t1);
    bytes = encoded.length;
    v1Bytes = v1.pack(state).length;
    // The longest stretch between two turns of the event loop while encoding in turns.
    let last = performance.now();
    let gap = 0;
    let ticking = true;
    const tick = () => {
      const at = performance.now();
      gap = Math.max(gap, at - last);
      last = at;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const t2 = performance.now();
    await encodeInTurns(state);
    turns.push(performance.now() - t2);
    ticking = false;
    longest.push(gap);
    const t3 = performance.now();
    decodeSnapshot(encoded);
    decode.push(performance.now() - t3);
  }
  const ms = (values: number[]) => median(values).toFixed(1);
  console.log(
    `holds ${n}: items ${actor.snapshotItems}; ${(bytes / 1e6).toFixed(2)} MB (version 1: ${(v1Bytes / 1e6).toFixed(2)} MB); ` +
      `toSnapshot ${ms(take)} ms; encode in one go ${ms(once)} ms; in turns ${ms(turns)} ms, longest turn ${ms(longest)} ms; decode ${ms(decode)} ms; ` +
      `trigger fired ${fired}x so far`,
  );
}
