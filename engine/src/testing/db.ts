import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createPool, type Db } from '../db/pool.ts';
import { migrate } from '../db/migrate.ts';

export type TestDatabase = { url: string; db: Db; drop: () => Promise<void> };

/** A new, migrated database of its own for one test file, dropped afterwards. */
export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `tickr_t_${randomBytes(6).toString('hex')}`;
  const admin = createPool(adminUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createPool(url.toString());
  await migrate(db);
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
