import { describe, expect, it } from 'vitest';
import type { Db } from '../../../engine/src/db/pool.ts';
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
    const states = createAccountStates(f.db);
    const [sa, sb] = await Promise.all([states.load(a), states.load(b), states.load(a)]);
    expect(sa).toMatchObject({ id: a, role: 'participant' });
    expect(sb).toBeNull();
    expect(f.queries).toEqual([[a, b]]);
    expect(states.fresh(a)).toMatchObject({ id: a });
    expect(states.fresh(b)).toBeNull();
  });

  it('answers null for an id that is no uuid, without asking the database', async () => {
    const f = fakeDb();
    expect(await createAccountStates(f.db).load('not-a-uuid')).toBeNull();
    expect(f.queries).toEqual([]);
  });

  it('is stale after its TTL, and at once after forget()', async () => {
    let now = 0;
    const f = fakeDb();
    const states = createAccountStates(f.db, { ttlMs: 10_000, now: () => now });
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
    const states = createAccountStates(f.db);
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
    const states = createAccountStates(f.db, { max: 1 });
    await states.load(a);
    await states.load(b);
    expect(states.fresh(a)).toBeUndefined();
    expect(states.fresh(b)).toBeNull();
  });
});
