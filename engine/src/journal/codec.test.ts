import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { InventoryActor } from '../inventory/actor.ts';
import type { EventConfig, Hold, JournalEntry, PlaceHold, SnapshotState } from '../inventory/types.ts';
import { encodeInTurns } from '../worker/snapshot_writer.ts';
import { decodeSnapshot, encodeSnapshot, snapshotPieces } from './codec.ts';

/** How snapshots were written before version 2: the state as a plain msgpack map. */
const version1 = new Packr({ useRecords: false, moreTypes: false });
/** Any msgpack reader. */
const reader = new Packr({ useRecords: false });

const hold = (n: number, extra: Partial<Hold> = {}): Hold => ({
  holdId: `h-${n}`, typeId: n % 2 === 0 ? 'ga' : 'vip', qty: 1 + (n % 3), buyer: `b-${n % 7}`, price: 1_000 + n, placedAt: 10 * n, expiresAt: 10 * n + 5, key: n % 3 === 0 ? null : `k-${n}`, ...extra,
});

function stateOf(holds: number, buyers = 5, refunded?: string[]): SnapshotState {
  const state: SnapshotState = {
    seq: 1_234_567_890,
    types: [{ typeId: 'ga', capacity: 1_000_000, sold: 7 }, { typeId: 'vip', capacity: 50, sold: 0 }],
    holds: Array.from({ length: holds }, (_, n) => hold(n)),
    bought: Array.from({ length: buyers }, (_, n) => [`b-${n}`, 1 + n] as [string, number]),
  };
  if (refunded !== undefined) state.refunded = refunded;
  return state;
}

describe('snapshot codec', () => {
  it('reads back what it writes: holds with and without address and basket, a type it does not list, refunded present or absent', () => {
    const state = stateOf(40, 3, ['h-1', 'h-2']);
    state.holds.push(hold(100, { address: '203.0.113.7' }), hold(101, { basket: 'h-101' }), hold(102, { address: '::1', basket: 'h-101' }), hold(103, { typeId: 'gone' }));
    expect(decodeSnapshot(encodeSnapshot(state))).toEqual(state);
    const decoded = decodeSnapshot(encodeSnapshot(stateOf(3)));
    expect(decoded).toEqual(stateOf(3));
    expect('refunded' in decoded).toBe(false);
    expect('address' in decoded.holds[0]!).toBe(false);
  });

  it('writes one msgpack document, whatever the array lengths and chunks (headers of 1, 3 and 5 bytes)', () => {
    for (const [holds, buyers] of [[0, 0], [15, 16], [16, 15], [65_535, 1], [65_536, 70_000]] as const) {
      const state = stateOf(holds, buyers, []);
      const pieces = [...snapshotPieces(state, 1_000)];
      const bytes = Buffer.concat(pieces.map((p) => p.bytes));
      expect(bytes.equals(encodeSnapshot(state))).toBe(true);
      const plain = reader.unpack(bytes) as { v: number; holds: unknown[][]; bought: unknown[] };
      expect(plain.v).toBe(2);
      expect(plain.holds).toHaveLength(holds);
      expect(plain.bought).toHaveLength(buyers);
      expect(pieces.reduce((n, p) => n + p.items, 0)).toBe(2 + holds + buyers);
      if (holds > 0) expect(decodeSnapshot(bytes).holds[holds - 1]).toEqual(hold(holds - 1));
    }
  });

  it('is smaller than version 1', () => {
    const state = stateOf(1_000, 100);
    expect(encodeSnapshot(state).length).toBeLessThan(0.75 * version1.pack(state).length);
  });

  it('still reads version 1 snapshots', () => {
    const state = stateOf(50, 4, ['h-3']);
    state.holds.push(hold(200, { address: '203.0.113.7', basket: 'h-200' }));
    expect(decodeSnapshot(version1.pack(state))).toEqual(state);
    const noRefunds = stateOf(5);
    expect(decodeSnapshot(version1.pack(noRefunds))).toEqual(noRefunds);
  });

  it('refuses a version it does not know', () => {
    expect(() => decodeSnapshot(version1.pack({ v: 3, seq: 1 }))).toThrow(/version 3/);
  });

  it('encodes in turns to the same bytes, giving the event loop turns between chunks, and stops when told', async () => {
    const state = stateOf(5_000, 300, ['h-4']);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const bytes = await encodeInTurns(state, () => false, 100);
    counting = false;
    expect(bytes!.equals(encodeSnapshot(state))).toBe(true);
    // 53 chunks of 100 items: the other callback ran between them.
    expect(turns).toBeGreaterThanOrEqual(40);
    let asked = 0;
    expect(await encodeInTurns(state, () => ++asked >= 3, 100)).toBeNull();
    expect(asked).toBe(3);
  });
});

describe('recovery from an encoded snapshot', () => {
  const eventId = 'e-1';
  const config: EventConfig = {
    eventId, shard: 0, currency: 'EUR', perBuyerLimit: 10, holdTtlMs: 60_000, saleStartsAt: null, saleEndsAt: null,
    types: [{ typeId: 'ga', price: 1_000, capacity: 100 }, { typeId: 'vip', price: 5_000, capacity: 5 }],
  };
  const place = (typeId: string, qty: number, buyer: string, key: string | null): PlaceHold => ({ kind: 'placeHold', eventId, typeId, qty, buyer, key });
  const counter = () => {
    let n = 0;
    return { newId: () => `hold-${++n}`, newTicketId: () => `ticket-${++n}` };
  };

  it('answers a retried key of a hold still open with that hold, from either version, snapshot + tail as live', () => {
    const actor = InventoryActor.create(config, counter());
    const journal: JournalEntry[] = [];
    const run = (cmd: Parameters<InventoryActor['handle']>[0], at: number) => {
      const { outcome, entries } = actor.handle(cmd, at);
      journal.push(...entries);
      return outcome;
    };
    const open = run(place('vip', 2, 'ann', 'k-open'), 1_000);
    const sold = run(place('ga', 3, 'bob', 'k-sold'), 1_000);
    if (!(sold.ok && sold.kind === 'held')) throw new Error('not held');
    run({ kind: 'confirmHold', eventId, holdId: sold.hold.holdId }, 1_100);
    const loose = run(place('ga', 1, 'cid', null), 1_200);
    if (!(loose.ok && loose.kind === 'held')) throw new Error('not held');
    const snapshot = actor.snapshot();
    const at = journal.length;
    const tailHold = run(place('ga', 2, 'dee', 'k-tail'), 2_000);
    run({ kind: 'releaseHold', eventId, holdId: loose.hold.holdId, buyer: 'cid' }, 2_100);

    const bytesOf = { 'version 1': version1.pack(snapshot), 'version 2': encodeSnapshot(snapshot) };
    for (const [version, bytes] of Object.entries(bytesOf)) {
      const restored = InventoryActor.restore(config, decodeSnapshot(bytes), journal.slice(at), { ...counter(), deepChecks: true });
      // What the whole journal rebuilds: the live actor's state.
      const live = InventoryActor.restore(config, null, journal, counter());
      expect(live.inventory).toEqual(actor.inventory);
      expect(restored.inventory, version).toEqual(live.inventory);
      expect(restored.snapshot(), version).toEqual(live.snapshot());
      // The key of a hold open at the snapshot, and of one placed in the tail: the same hold, no second one.
      expect(restored.handle(place('vip', 2, 'ann', 'k-open'), 3_000), version).toEqual({ outcome: open, entries: [] });
      expect(restored.handle(place('ga', 2, 'dee', 'k-tail'), 3_000), version).toEqual({ outcome: tailHold, entries: [] });
      // Once it expired, the live actor and the restored one answer alike.
      expect(restored.expire(61_500), version).toEqual(live.expire(61_500));
      expect(restored.handle(place('vip', 2, 'ann', 'k-open'), 62_000).outcome, version).toEqual(live.handle(place('vip', 2, 'ann', 'k-open'), 62_000).outcome);
    }
  });
});
