import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../engine/src/db/pool.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { clearRedisPrefix, testRedisUrl } from '../../../engine/src/testing/redis.ts';
import { checkFloor, prepareFloor } from './group_commit.ts';
import { redisInstalled, startBaseline, type BaselineHandle } from './index.ts';
import type { BaselineName } from './names.ts';

/**
 * Each baseline, as the bench runs it (its HTTP front a child process), in a
 * tiny configuration: 200 concurrent holds of one ticket for 50 tickets. The
 * real one sells exactly 50 and its checker passes; the deliberately broken one
 * (no lock, a 1 ms gap between read and write) oversells, and its checker says
 * so. The group-commit floors' broken form answers before its flush commits:
 * with the table locked, it answers 201 for a hold that is not durable, and
 * the check (rows >= 201s) says so. No timing is asserted.
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

/** One hold of one ticket under `key`: its status and body. */
async function holdOnce(b: BaselineHandle, key: string) {
  const response = await fetch(`${b.url}/api/events/${b.eventId}/holds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer x', 'idempotency-key': key },
    body: JSON.stringify({ typeId: b.typeId, quantity: 1 }),
  });
  return { status: response.status, body: (await response.json()) as { holdId?: string } };
}

/**
 * One hold while a test transaction locks the floor's table (SHARE: reads go
 * on, inserts wait), so that no flush can commit: what was answered in the
 * next 300 ms (a bound on the wait, not a timing asserted), and what the
 * durability check said then; then the lock goes and the hold finishes.
 */
async function whileFlushesWait(b: BaselineHandle) {
  const locker = new pg.Client({ connectionString: t.url });
  const db = createPool(t.url, 1);
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE bench_floor_holds IN SHARE MODE');
    const answer = holdOnce(b, 'locked');
    const early = await Promise.race([answer.then((a) => a.status), new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 300))]);
    const during = await checkFloor(db, b.typeId, early === 201 ? 1 : 0);
    await locker.query('ROLLBACK');
    return { early, during, final: (await answer).status };
  } finally {
    await locker.end();
    await db.end();
  }
}

const floors: BaselineName[] = ['group-commit', 'group-commit-worker'];

describe.each(floors)('%s (the floor)', (name) => {
  it(`sells exactly ${capacity} of ${requests} concurrent holds, every 201 durable, and its checker passes`, async () => {
    await withBaseline(name, false, async (b) => {
      const counts = await stampede(b);
      expect(counts).toEqual({ 201: capacity, 409: requests - capacity });
      const verdict = await b.check(counts[201]);
      expect(verdict.ok, verdict.detail).toBe(true);
      expect(verdict.detail).toContain(`${capacity} rows >= ${capacity} answered 201`);
    });
  });

  it('answers a hold only once its flush has committed', async () => {
    await withBaseline(name, false, async (b) => {
      const seen = await whileFlushesWait(b);
      expect(seen.early).toBe('no answer');
      expect(seen.during.ok, seen.during.detail).toBe(true);
      expect(seen.final).toBe(201);
      const verdict = await b.check(1);
      expect(verdict.ok, verdict.detail).toBe(true);
    });
  });

  it('broken (answers before the commit): a 201 that is not durable, and its checker catches it', async () => {
    await withBaseline(name, true, async (b) => {
      const seen = await whileFlushesWait(b);
      expect(seen.early).toBe(201);
      expect(seen.during.ok, seen.during.detail).toBe(false);
      expect(seen.during.detail).toContain('0 rows >= 1 answered 201');
    });
  });

  it('answers a replayed Idempotency-Key with the first hold, in flight or committed', async () => {
    await withBaseline(name, false, async (b) => {
      const [first, inFlight] = await Promise.all([holdOnce(b, 'same'), holdOnce(b, 'same')]);
      const committed = await holdOnce(b, 'same');
      expect([first.status, inFlight.status, committed.status]).toEqual([201, 201, 201]);
      expect(inFlight.body.holdId).toBe(first.body.holdId);
      expect(committed.body.holdId).toBe(first.body.holdId);
      const verdict = await b.check(1);
      expect(verdict.detail).toContain('holds sum 1 (1 holds)');
    });
  });
});

describe('the floor checker', () => {
  it('fails when the durable holds add up past capacity, or fewer rows than 201s answered', async () => {
    const db = createPool(t.url, 1);
    try {
      const { typeId } = await prepareFloor(db, 50);
      await db.query(
        `INSERT INTO bench_floor_holds (hold_id, type_id, qty, idem_key) SELECT gen_random_uuid(), $1, 20, 'k-' || i FROM generate_series(1, 2) i`,
        [typeId],
      );
      expect((await checkFloor(db, typeId, 2)).ok).toBe(true);
      expect((await checkFloor(db, typeId, 3)).ok).toBe(false);
      await db.query(`INSERT INTO bench_floor_holds (hold_id, type_id, qty, idem_key) VALUES (gen_random_uuid(), $1, 20, 'k-3')`, [typeId]);
      const verdict = await checkFloor(db, typeId);
      expect(verdict.ok).toBe(false);
      expect(verdict.detail).toContain('holds sum 60 (3 holds) <= capacity 50');
    } finally {
      await db.end();
    }
  });
});
