import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { migrate } from './migrate.ts';

describe('migrate', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await freshDatabase(); });
  afterAll(async () => { await t.drop(); });

  it('changes nothing when run a second time', async () => {
    const before = await t.db.query('SELECT name, applied_at FROM schema_migrations ORDER BY name');
    const report = await migrate(t.db);
    expect(report.applied).toEqual([]);
    const after = await t.db.query('SELECT name, applied_at FROM schema_migrations ORDER BY name');
    expect(after.rows).toEqual(before.rows);
    expect(before.rows.map((r) => r.name)).toContain('0001_spine.sql');
  });

  it('leaves nothing behind when a migration fails', async () => {
    const { mkdtemp, writeFile, copyFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { migrationsDir } = await import('./migrate.ts');
    const dir = await mkdtemp(join(tmpdir(), 'tickr-mig-'));
    await copyFile(join(migrationsDir, '0001_spine.sql'), join(dir, '0001_spine.sql'));
    await writeFile(join(dir, '9998_good_then_bad.sql'), 'CREATE TABLE half_done (x int); SELECT no_such_function();');
    await expect(migrate(t.db, dir)).rejects.toThrow(/9998_good_then_bad.sql/);
    const table = await t.db.query(`SELECT to_regclass('half_done') AS t`);
    expect(table.rows[0].t).toBeNull();
    const recorded = await t.db.query(`SELECT 1 FROM schema_migrations WHERE name = '9998_good_then_bad.sql'`);
    expect(recorded.rowCount).toBe(0);
  });
});
