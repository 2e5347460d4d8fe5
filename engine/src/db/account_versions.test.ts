import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { changePassword, changeRole, deleteAccount, selectAccountStates, selectPasswordHash } from './account_versions.ts';
import { insertAccount, selectAccountByEmail, upsertOperator } from './accounts.ts';

describe('account versions', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await freshDatabase(); });
  afterAll(async () => { await t.drop(); });

  const make = (email: string, role: 'participant' | 'organizer' = 'participant') =>
    insertAccount(t.db, { email, passwordHash: 'h', name: 'N', role }).then((a) => a!);

  it('starts at version 1, and a role change raises the version only', async () => {
    const a = await make('role@example.com');
    expect(await selectAccountStates(t.db, [a.id])).toEqual([{ id: a.id, version: 1, passwordVersion: 1, role: 'participant', name: 'N' }]);
    expect(await changeRole(t.db, a.id, 'organizer')).toMatchObject({ version: 2, passwordVersion: 1, role: 'organizer' });
    // A new organizer gets its organizers row; a second promotion finds it there.
    expect((await t.db.query('SELECT 1 FROM organizers WHERE account_id = $1', [a.id])).rowCount).toBe(1);
    await changeRole(t.db, a.id, 'participant');
    expect(await changeRole(t.db, a.id, 'organizer')).toMatchObject({ version: 4, role: 'organizer' });
  });

  it('a password change raises both versions', async () => {
    const a = await make('pw@example.com');
    await changeRole(t.db, a.id, 'staff');
    expect(await changePassword(t.db, a.id, 'h2')).toMatchObject({ version: 3, passwordVersion: 3 });
    expect(await selectPasswordHash(t.db, a.id)).toMatchObject({ passwordHash: 'h2' });
  });

  it('a deletion keeps the row, frees the email and leaves no state to act with', async () => {
    const a = await make('gone@example.com', 'organizer');
    expect(await deleteAccount(t.db, a.id)).toBe(true);
    expect(await deleteAccount(t.db, a.id)).toBe(false);
    expect(await selectAccountStates(t.db, [a.id])).toEqual([]);
    expect(await selectAccountByEmail(t.db, 'gone@example.com')).toBeNull();
    expect(await selectPasswordHash(t.db, a.id)).toBeNull();
    expect(await changeRole(t.db, a.id, 'participant')).toBeNull();
    expect(await changePassword(t.db, a.id, 'h3')).toBeNull();
    expect(await make('gone@example.com')).toMatchObject({ email: 'gone@example.com' });
  });

  it('an operator brought back in line with the configuration has its tokens voided', async () => {
    await upsertOperator(t.db, 'ops@example.com', 'h1', 'Ops');
    const again = await upsertOperator(t.db, 'ops@example.com', 'h2', 'Ops');
    expect(await selectAccountStates(t.db, [again.id])).toMatchObject([{ version: 2, passwordVersion: 2 }]);
  });
});
