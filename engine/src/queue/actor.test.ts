import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { QueueActor, type RestoredQueue, type StockTruth } from './actor.ts';
import { commitment, newSeed } from './lottery.ts';
import type { DropSettings, QueueAnswer } from './types.ts';

const settings: DropSettings = { queueEnabled: true, waitingRoomOpensAt: null, ratePerMinute: 60, admissionTokenTtlMs: 60_000, powBits: 0, paused: false, holdRequires: 'account', holdsPerAddressMax: null };
const saleAt = 1_000_000;
const truth: StockTruth = { stockLeft: 100, activeHolds: 0, perBuyerLimit: 2, saleStartsAt: saleAt };

function fresh(over: Partial<RestoredQueue> = {}): { queue: QueueActor; seed: Buffer } {
  const seed = newSeed();
  let n = 0;
  const restored: RestoredQueue = { settings, secret: { seedHex: seed.toString('hex'), commitment: commitment(seed) }, drawnCount: null, head: 0, places: [], ...over };
  return { queue: new QueueActor('ev', restored, truth, 0, () => `qt-${++n}`), seed };
}

function joined(answer: QueueAnswer) {
  if (!answer.ok || answer.type !== 'joined') throw new Error(`expected joined, got ${JSON.stringify(answer)}`);
  return answer;
}

/** The published rule, written again from scratch: sort by HMAC-SHA256(seed, id) hex, ties by id. */
function independentOrder(seedHex: string, ids: string[]): string[] {
  const key = Buffer.from(seedHex, 'hex');
  return ids
    .map((id) => ({ id, k: createHmac('sha256', key).update(id, 'utf8').digest('hex') }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.id < b.id ? -1 : 1))
    .map((e) => e.id);
}

describe('queue actor', () => {
  it('orders arrivals before sale start by the lottery, recomputable from the published seed and list', () => {
    const { queue } = fresh();
    const buyers = Array.from({ length: 40 }, (_, i) => `b${i}`);
    const before = buyers.map((b) => joined(queue.join(b, 10)));
    expect(before.every((a) => a.place === null)).toBe(true);
    queue.tick(saleAt);
    const proof = queue.proof();
    expect(proof.seedHex).not.toBeNull();
    expect(commitment(Buffer.from(proof.seedHex!, 'hex'))).toBe(proof.commitment);
    const order = independentOrder(proof.seedHex!, proof.drawnQueueTicketIds!);
    for (const b of buyers) {
      const again = joined(queue.join(b, saleAt));
      expect(again.again).toBe(true);
      expect(order.indexOf(again.queueTicketId) + 1).toBe(again.place);
    }
    expect(queue.takeWrites()).toMatchObject({ drawnCount: 40 });
  });

  it('queues arrivals after the draw FIFO behind the lottery', () => {
    const { queue } = fresh();
    for (let i = 0; i < 5; i++) queue.join(`early${i}`, 10);
    queue.tick(saleAt);
    const late = [1, 2, 3].map((i) => joined(queue.join(`late${i}`, saleAt + i)));
    expect(late.map((a) => a.place)).toEqual([6, 7, 8]);
  });

  it('gives one place per account: joining again answers the same place and writes nothing', () => {
    const { queue } = fresh();
    queue.tick(saleAt);
    const first = joined(queue.join('ada', saleAt));
    queue.takeWrites();
    const second = joined(queue.join('ada', saleAt + 5));
    expect([second.place, second.queueTicketId, second.again]).toEqual([first.place, first.queueTicketId, true]);
    expect(queue.takeWrites()).toBeNull();
  });

  it('comes back from what was stored with the same places and head', () => {
    const { queue, seed } = fresh();
    for (let i = 0; i < 10; i++) queue.join(`b${i}`, 10);
    queue.tick(saleAt);
    queue.tick(saleAt + 3_000);
    const places = Array.from({ length: 10 }, (_, i) => joined(queue.join(`b${i}`, saleAt + 3_000)));
    const rows = places.map((p, i) => ({ seq: p.seq, buyer: `b${i}`, queueTicketId: p.queueTicketId, joinedAt: 10 }));
    const restored = new QueueActor('ev', {
      settings, secret: { seedHex: seed.toString('hex'), commitment: commitment(seed) }, drawnCount: 10, head: queue.head.head, places: rows,
    }, truth, saleAt + 4_000);
    expect(queue.head.head).toBeGreaterThan(0);
    expect(restored.head.head).toBe(queue.head.head);
    for (let i = 0; i < 10; i++) expect(joined(restored.join(`b${i}`, saleAt + 4_000)).place).toBe(places[i]!.place);
    // Everyone up to the head gets a fresh admission window after a restart.
    expect(restored.admit(1, saleAt + 4_000)).toMatchObject({ ok: true, type: 'admitted' });
  });

  it('admits places at or behind the head only, and refuses before the draw', () => {
    const { queue } = fresh();
    queue.join('a', 10);
    expect(queue.admit(1, 20)).toMatchObject({ ok: false, reason: 'not_drawn' });
    for (let i = 0; i < 5; i++) queue.join(`x${i}`, 10);
    queue.tick(saleAt);
    queue.tick(saleAt + 2_000);
    expect(queue.head.head).toBe(2);
    expect(queue.admit(2, saleAt + 2_000)).toMatchObject({ ok: true, admissionEndsAt: saleAt + 2_000 + 60_000, perBuyerLimit: 2 });
    expect(queue.admit(3, saleAt + 2_000)).toMatchObject({ ok: false, reason: 'not_admitted_yet' });
    expect(queue.admit(1, saleAt + 70_000)).toMatchObject({ ok: false, reason: 'admission_lapsed' });
  });

  it('pauses and resumes at once, with no burst after the pause', () => {
    const { queue, seed } = fresh();
    for (let i = 0; i < 100; i++) queue.join(`b${i}`, 10);
    queue.tick(saleAt);
    const secret = { seedHex: seed.toString('hex'), commitment: commitment(seed) };
    queue.configure({ ...settings, paused: true }, secret, saleAt);
    queue.tick(saleAt + 30_000);
    expect(queue.head.head).toBe(0);
    expect(queue.status(saleAt + 30_000).state).toBe('paused');
    queue.configure({ ...settings, paused: false }, secret, saleAt + 30_000);
    queue.tick(saleAt + 31_000);
    expect(queue.head.head).toBe(1);
  });

  it('says sold out once nothing is left to sell or come back, and refuses joins then', () => {
    const { queue } = fresh();
    queue.tick(saleAt);
    queue.observe([], { ...truth, stockLeft: 0, activeHolds: 0 }, null);
    expect(queue.status(saleAt).state).toBe('sold_out');
    expect(queue.join('late', saleAt)).toMatchObject({ ok: false, reason: 'sold_out' });
  });

  it('refuses joins before the waiting room opens', () => {
    const { queue } = fresh({ settings: { ...settings, waitingRoomOpensAt: 500 } });
    expect(queue.join('a', 499)).toMatchObject({ ok: false, reason: 'waiting_room_closed' });
    expect(joined(queue.join('a', 500)).seq).toBe(1);
  });
});
