import { afterEach, describe, expect, it } from 'vitest';
import type { QueueStatus } from '../queue/types.ts';
import { testRedisPrefix, testRedisUrl } from '../testing/redis.ts';
import { startQueueTicks, type QueueTicks } from './queue_ticks.ts';

const status = (eventId: string, head: number): QueueStatus => ({
  eventId, state: 'open', head, placed: 100, joined: 100, drawn: true, stockLeft: 10, msPerPlace: 500, ratePerMinute: 120,
  headMovedAt: 1_700_000_000_000 + head, saleStartsAt: null, waitingRoomOpensAt: null, at: 1_700_000_000_000 + head,
});

const started: QueueTicks[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
});

async function node(nodeId: string, prefix: string, heard: QueueStatus[]): Promise<QueueTicks> {
  const ticks = await startQueueTicks({ url: testRedisUrl(), keyPrefix: prefix, nodeId, onStatus: (s) => heard.push(s), onError: (e) => { throw e; } });
  started.push(ticks);
  return ticks;
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('queue ticks over Redis pub/sub', () => {
  it('gives every other node the statuses one node publishes, in order, and not the publisher itself', async () => {
    const prefix = testRedisPrefix();
    const heardA: QueueStatus[] = [];
    const heardB: QueueStatus[] = [];
    const heardC: QueueStatus[] = [];
    const a = await node('a', prefix, heardA);
    await node('b', prefix, heardB);
    await node('c', prefix, heardC);
    a.publish([status('e1', 1), status('e2', 7)]);
    a.publish([status('e1', 2)]);
    await until(() => heardB.length === 3 && heardC.length === 3);
    for (const heard of [heardB, heardC]) expect(heard.map((s) => [s.eventId, s.head])).toEqual([['e1', 1], ['e2', 7], ['e1', 2]]);
    expect(heardB[0]).toEqual(status('e1', 1));
    expect(heardA).toEqual([]);
  });

  it('keeps clusters on one Redis apart by their key prefix', async () => {
    const heard: QueueStatus[] = [];
    const other = await node('a', testRedisPrefix(), []);
    const mine = testRedisPrefix();
    const a = await node('a', mine, []);
    await node('b', mine, heard);
    other.publish([status('elsewhere', 1)]);
    a.publish([status('here', 1)]);
    await until(() => heard.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard.map((s) => s.eventId)).toEqual(['here']);
  });
});
