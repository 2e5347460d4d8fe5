import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { Command, EventConfig, HoldView, Outcome } from '../inventory/types.ts';
import { decodeSnapshot, encodeSnapshot } from '../journal/codec.ts';
import type { QueueStatus } from '../queue/types.ts';
import { flattenAnswers, flattenCommands, forEachAnswer, forEachCommand, pack, unpack } from './wire.ts';

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

const e = '6f1c2a8e-0b7d-4c1e-9a52-1d2e3f405162';
const t = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const config: EventConfig = { eventId: e, shard: 3, currency: 'EUR', perBuyerLimit: 4, holdTtlMs: 480_000, saleStartsAt: null, saleEndsAt: 5, types: [{ typeId: t, price: 5_000, capacity: 10, retired: true }], draft: true };
const view: HoldView = { holdId: 'h1', eventId: e, typeId: t, qty: 2, buyer: 'b', price: 5_000, currency: 'EUR', status: 'confirmed', expiresAt: 123 };
const status: QueueStatus = {
  eventId: e, state: 'open', head: 3, placed: 9, joined: 12, drawn: true, stockLeft: 40, msPerPlace: null, ratePerMinute: 60,
  headMovedAt: null, saleStartsAt: null, waitingRoomOpensAt: 1, at: 2,
};

/** One of every Command kind, the hot ones in each of their shapes. */
const everyCommand: Command[] = [
  { kind: 'placeHold', eventId: e, typeId: t, qty: 1, buyer: 'b', key: 'k' },
  { kind: 'placeHold', eventId: e, typeId: t, qty: 2, buyer: 'b', key: null },
  { kind: 'placeHold', eventId: e, typeId: t, qty: 1, buyer: 'b', key: 'k', admitted: true },
  { kind: 'placeHold', eventId: e, typeId: t, qty: 1, buyer: 'b', key: 'k', address: '10.0.0.1', addressMax: 4 },
  { kind: 'placeBasket', eventId: e, items: [{ typeId: t, qty: 1 }], buyer: 'b', key: 'k', admitted: true },
  { kind: 'releaseHold', eventId: e, holdId: 'h1', buyer: null },
  { kind: 'confirmHold', eventId: e, holdId: 'h1' },
  { kind: 'changeCapacity', eventId: e, typeId: t, capacity: 7 },
  { kind: 'expireHolds', eventId: e },
  { kind: 'getHold', eventId: e, holdId: 'h1' },
  { kind: 'snapshot', eventId: e },
  { kind: 'reconfigure', eventId: e, config },
  { kind: 'refundTickets', eventId: e, holdId: 'h1', typeId: t, qty: 1, buyer: 'b' },
  { kind: 'releaseAllHolds', eventId: e },
  { kind: 'queue', eventId: e, op: { type: 'join', buyer: 'b' } },
];

/** One of every Outcome kind. */
const everyOutcome: Outcome[] = [
  { ok: true, kind: 'held', hold: view },
  { ok: true, kind: 'held', hold: { ...view, status: 'held' } },
  { ok: false, reason: 'limit_reached', remaining: 1 },
  { ok: false, reason: 'sold_out', detail: 'none left' },
  { ok: true, kind: 'basketHeld', holds: [view, view] },
  { ok: true, kind: 'released', hold: view },
  { ok: true, kind: 'confirmed', hold: view, ticketIds: ['x', 'y'] },
  { ok: true, kind: 'capacityChanged', type: { typeId: t, capacity: 9, sold: 1, held: 2, available: 6, price: 5_000 } },
  { ok: true, kind: 'expired', count: 2 },
  { ok: true, kind: 'hold', hold: view },
  { ok: true, kind: 'snapshot', eventId: e, seq: 4, types: [], activeHolds: 0 },
  { ok: true, kind: 'reconfigured' },
  { ok: true, kind: 'refunded', holdId: 'h1', qty: 1, again: false },
  { ok: true, kind: 'releasedAll', count: 3 },
  { ok: true, kind: 'queue', answer: { ok: true, type: 'status', status } },
];

/** What the other thread receives: the batch after a real structured clone. */
function acrossThreads<T>(value: T): T {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(value);
  const received = receiveMessageOnPort(port2)!.message as T;
  port1.close();
  return received;
}

describe('flat batches (the clone wire)', () => {
  it('carry every Command kind across, in order, with its id and fields exactly', () => {
    const ids = everyCommand.map((_, i) => 100 + i);
    const got: [number, Command][] = [];
    forEachCommand(acrossThreads(flattenCommands(ids, everyCommand)), (id, cmd) => got.push([id, cmd]));
    expect(got).toStrictEqual(ids.map((id, i) => [id, everyCommand[i]]));
  });

  it('carry every Outcome kind back, in order, with its id and fields exactly', () => {
    const ids = everyOutcome.map((_, i) => 7 + i);
    const got: [number, Outcome][] = [];
    forEachAnswer(acrossThreads(flattenAnswers(ids, everyOutcome)), (id, outcome) => got.push([id, outcome]));
    expect(got).toStrictEqual(ids.map((id, i) => [id, everyOutcome[i]]));
  });

  it('are empty for an empty batch', () => {
    let calls = 0;
    forEachCommand(flattenCommands([], []), () => calls++);
    forEachAnswer(flattenAnswers([], []), () => calls++);
    expect(calls).toBe(0);
  });
});
