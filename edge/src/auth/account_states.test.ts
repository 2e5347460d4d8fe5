import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../engine/src/db/migrate.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { changeRole } from '../../../engine/src/db/account_versions.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { createAccountStates } from './account_states.ts';

const a = '11111111-1111-4111-8111-111111111111';
const b = '22222222-2222-4222-8222-222222222222';

/** A database that knows account `a` only, and counts its queries. */
function fakeDb(state = { role: 'participant' }) {
  const queries: string[][] = [];
  let hold: Promise<void> = Promise.resolve();
  const db = {
    query: async (_sql: string, [ids]: [string[]]) => {
      queries.push(ids);
      await hold;
      return { rows: ids.filter((id) => id === a).map((id) => ({ id, version: 1, passwordVersion: 1, role: state.role, name: 'Ada' })) };
    },
  } as unknown as Db;
  return { db, queries, state, holdWith: (p: Promise<void>) => { hold = p; } };
}

describe('account states', () => {
  it('loads the misses of one event-loop turn in one query, and caches unknown accounts as gone', async () => {
    const f = fakeDb();
    const states = createAccountStates(f.db, { feed: false });
    const [sa, sb] = await Promise.all([states.load(a), states.load(b), states.load(a)]);
    expect(sa).toMatchObject({ id: a, role: 'participant' });
    expect(sb).toBeNull();
    expect(f.queries).toEqual([[a, b]]);
    expect(states.fresh(a)).toMatchObject({ id: a });
    expect(states.fresh(b)).toBeNull();
  });

  it('answers null for an id that is no uuid, without asking the database', async () => {
    const f = fakeDb();
    expect(await createAccountStates(f.db, { feed: false }).load('not-a-uuid')).toBeNull();
    expect(f.queries).toEqual([]);
  });

  it('is stale after its TTL, and at once after forget()', async () => {
    let now = 0;
    const f = fakeDb();
    const states = createAccountStates(f.db, { ttlMs: 10_000, now: () => now, feed: false });
    await states.load(a);
    now = 9_999;
    expect(states.fresh(a)).not.toBeUndefined();
    now = 10_000;
    expect(states.fresh(a)).toBeUndefined();
    await states.load(a);
    states.forget(a);
    expect(states.fresh(a)).toBeUndefined();
  });

  it('does not cache what a load read before a change it overlapped', async () => {
    const f = fakeDb();
    const states = createAccountStates(f.db, { feed: false });
    let release!: () => void;
    f.holdWith(new Promise((resolve) => { release = resolve; }));
    const loading = states.load(a);
    await new Promise((resolve) => setImmediate(resolve));
    f.state.role = 'organizer';
    states.forget(a);
    release();
    await loading;
    expect(states.fresh(a)).toBeUndefined();
    expect(await states.load(a)).toMatchObject({ role: 'organizer' });
  });

  it('stays bounded', async () => {
    const f = fakeDb();
    const states = createAccountStates(f.db, { max: 1, feed: false });
    await states.load(a);
    await states.load(b);
    expect(states.fresh(a)).toBeUndefined();
    expect(states.fresh(b)).toBeNull();
  });
});

describe('account states: the change feed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
    await migrate(t.db);
  });
  afterAll(async () => {
    await t.drop();
  });

  async function account(tag: string): Promise<string> {
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO accounts (email, password_hash, name, role) VALUES ($1, 'x', 'Ada', 'participant') RETURNING id::text AS id`, [`${tag}-${Date.now()}@feed.test`]);
    return rows[0]!.id;
  }

  it('keeps a state past the TTL while the feed is read, and forgets an account another node changed', async () => {
    let now = 0;
    const states = createAccountStates(t.db, { ttlMs: 10_000, now: () => now, pollMs: 3_600_000 });
    try {
      const [x, y] = [await account('x'), await account('y')];
      // Their creation is a change the feed reports once.
      expect(await states.poll()).toBe(true);
      await Promise.all([states.load(x), states.load(y)]);
      now = 60_000;
      expect(await states.poll()).toBe(true);
      // Older than the TTL, yet good: the feed has read every change since it was loaded.
      expect(states.fresh(x)).toMatchObject({ id: x, role: 'participant' });
      // Another node promotes y: this node's feed forgets it, and the next load reads the new role.
      await changeRole(t.db, y, 'organizer');
      now = 61_000;
      expect(await states.poll()).toBe(true);
      expect(states.fresh(y)).toBeUndefined();
      expect(states.fresh(x)).not.toBeUndefined();
      expect(await states.load(y)).toMatchObject({ role: 'organizer' });
      // A change is forgotten once, though later reads see it again in their overlap.
      now = 62_000;
      expect(await states.poll()).toBe(true);
      expect(states.fresh(y)).toMatchObject({ role: 'organizer' });
    } finally {
      states.close();
    }
  });

  it('falls back to the TTL when the feed cannot be read', async () => {
    let now = 0;
    let down = false;
    const db = { query: (sql: string, values: unknown[]) => (down && sql.includes('db_now') ? Promise.reject(new Error('connection refused')) : t.db.query(sql, values)) } as unknown as Db;
    const states = createAccountStates(db, { ttlMs: 10_000, now: () => now, pollMs: 3_600_000 });
    try {
      const x = await account('z');
      expect(await states.poll()).toBe(true);
      await states.load(x);
      now = 5_000;
      down = true;
      expect(await states.poll()).toBe(false);
      now = 9_999;
      expect(states.fresh(x)).not.toBeUndefined();
      // Past the TTL with no read of the feed since: loaded again, as without a feed.
      now = 10_001;
      expect(states.fresh(x)).toBeUndefined();
    } finally {
      states.close();
    }
  });

  it('trusts past the TTL only entries loaded after the feed was first read', async () => {
    let now = 0;
    const states = createAccountStates(t.db, { ttlMs: 10_000, now: () => now, pollMs: 3_600_000, feed: true });
    try {
      // The constructor's first read is under way; an entry may be loaded before it ends.
      const x = await account('w');
      now = -1;
      await states.load(x);
      now = 0;
      await states.poll();
      now = 20_000;
      await states.poll();
      expect(states.fresh(x)).toBeUndefined();
    } finally {
      states.close();
    }
  });
});
