import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { clearRedisPrefix, testRedisUrl } from '../../../engine/src/testing/redis.ts';
import { redisInstalled, startBaseline, type BaselineHandle } from './index.ts';
import type { BaselineName } from './names.ts';

/**
 * Each baseline, as the bench runs it (its HTTP front a child process), in a
 * tiny configuration: 200 concurrent holds of one ticket for 50 tickets. The
 * real one sells exactly 50 and its checker passes; the deliberately broken one
 * (no lock, a 1 ms gap between read and write) oversells, and its checker says
 * so. No timing is asserted.
 */

const capacity = 50;
const requests = 200;

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => {
  await t?.drop();
  // The baselines' own Redis keys in the shared test Redis.
  await clearRedisPrefix('bench-');
});

/** `requests` holds at once, each with its own buyer token and Idempotency-Key; the status codes counted. */
async function stampede(b: BaselineHandle): Promise<Record<number, number>> {
  const statuses = await Promise.all(
    Array.from({ length: requests }, async (_, i) => {
      const response = await fetch(`${b.url}/api/events/${b.eventId}/holds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer buyer-${i}`, 'idempotency-key': `k-${i}` },
        body: JSON.stringify({ typeId: b.typeId, quantity: 1 }),
      });
      await response.text();
      return response.status;
    }),
  );
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

async function withBaseline<T>(name: BaselineName, broken: boolean, fn: (b: BaselineHandle) => Promise<T>, privateRedis = false): Promise<T> {
  const b = await startBaseline(name, { capacity, broken, databaseUrl: t.url, ...(privateRedis ? {} : { redisUrl: testRedisUrl() }), poolSize: 20 });
  try {
    return await fn(b);
  } finally {
    await b.stop();
  }
}

const names: BaselineName[] = ['row-lock', 'advisory-lock', 'skip-locked', 'redis-lua'];

describe.each(names)('%s', (name) => {
  it(`sells exactly ${capacity} of ${requests} concurrent holds, and its checker passes`, async () => {
    await withBaseline(name, false, async (b) => {
      const counts = await stampede(b);
      expect(counts).toEqual({ 201: capacity, 409: requests - capacity });
      const verdict = await b.check();
      expect(verdict.ok, verdict.detail).toBe(true);
    });
  });

  it('broken (no lock): oversells under concurrency, and its checker catches it', async () => {
    await withBaseline(name, true, async (b) => {
      const counts = await stampede(b);
      expect(counts[500] ?? 0).toBe(0);
      const verdict = await b.check();
      expect(verdict.ok, verdict.detail).toBe(false);
    });
  });
});

describe.skipIf(!redisInstalled())('redis-lua-aof', () => {
  it('starts a private Redis with appendfsync always, sells exactly the capacity, and is checked', async () => {
    await withBaseline(
      'redis-lua-aof',
      false,
      async (b) => {
        expect(b.storeMeasured).toBe(true);
        expect(await stampede(b)).toEqual({ 201: capacity, 409: requests - capacity });
        const verdict = await b.check();
        expect(verdict.ok, verdict.detail).toBe(true);
      },
      true,
    );
  });
});

describe('the front', () => {
  it('answers a replayed Idempotency-Key with the first hold, refuses a missing token and a bad body', async () => {
    await withBaseline('row-lock', false, async (b) => {
      const post = (headers: Record<string, string>, body: unknown) =>
        fetch(`${b.url}/api/events/${b.eventId}/holds`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const auth = { authorization: 'Bearer x', 'idempotency-key': 'same' };
      const first = await post(auth, { typeId: b.typeId, quantity: 2 });
      const again = await post(auth, { typeId: b.typeId, quantity: 2 });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(await again.json()).toEqual(await first.json());
      expect((await post({ 'idempotency-key': 'k' }, { typeId: b.typeId, quantity: 1 })).status).toBe(401);
      expect((await post({ ...auth, 'idempotency-key': 'k2' }, { typeId: b.typeId, quantity: 0 })).status).toBe(400);
      const verdict = await b.check();
      expect(verdict.ok, verdict.detail).toBe(true);
      expect(verdict.detail).toContain('holds sum 2 (1 holds)');
    });
  });
});
