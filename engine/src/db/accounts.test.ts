import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { insertAccount, selectAccount, selectAccountByEmail, upsertOperator } from './accounts.ts';

describe('accounts', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await freshDatabase(); });
  afterAll(async () => { await t.drop(); });

  it('inserts an account and finds it by email, whatever the case', async () => {
    const a = await insertAccount(t.db, { email: 'ada@example.com', passwordHash: 'scrypt$x', name: 'Ada', role: 'participant' });
    expect(a).toMatchObject({ email: 'ada@example.com', name: 'Ada', role: 'participant' });
    expect(await selectAccountByEmail(t.db, 'ADA@example.com')).toMatchObject({ id: a!.id, passwordHash: 'scrypt$x' });
    expect(await selectAccount(t.db, a!.id)).toMatchObject({ id: a!.id });
    expect(await selectAccountByEmail(t.db, 'nobody@example.com')).toBeNull();
  });

  it('answers null for a taken email', async () => {
    await insertAccount(t.db, { email: 'taken@example.com', passwordHash: 'h', name: 'T', role: 'participant' });
    expect(await insertAccount(t.db, { email: 'Taken@Example.com', passwordHash: 'h', name: 'T', role: 'organizer' })).toBeNull();
  });

  it('gives an organizer its organizers row in the same statement', async () => {
    const o = await insertAccount(t.db, { email: 'org@example.com', passwordHash: 'h', name: 'Org', role: 'organizer' });
    const p = await insertAccount(t.db, { email: 'part@example.com', passwordHash: 'h', name: 'Part', role: 'participant' });
    const rows = await t.db.query('SELECT account_id, display_name FROM organizers WHERE account_id = ANY($1::uuid[])', [[o!.id, p!.id]]);
    expect(rows.rows).toEqual([{ account_id: o!.id, display_name: 'Org' }]);
  });

  it('upserts the operator: created once, then brought in line with the configuration', async () => {
    const first = await upsertOperator(t.db, 'ops@example.com', 'h1', 'Ops');
    const second = await upsertOperator(t.db, 'OPS@example.com', 'h2', 'Operator');
    expect(second.id).toBe(first.id);
    expect(await selectAccountByEmail(t.db, 'ops@example.com')).toMatchObject({ role: 'operator', name: 'Operator', passwordHash: 'h2' });
  });
});
