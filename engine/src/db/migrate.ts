import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** The project's numbered SQL files: `0001_spine.sql`, applied in order. */
export const migrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const migrationName = /^(\d{4})_[a-z0-9_]+\.sql$/;

export type MigrationReport = { applied: string[]; skipped: number };

/**
 * Applies the migrations not yet recorded, each inside its own transaction
 * together with its record, so a failure leaves nothing half-applied. An
 * advisory lock keeps two nodes starting at once from racing.
 */
export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<MigrationReport> {
  const files = (await readdir(dir)).filter((f) => migrationName.test(f)).sort();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(727274)'); // "tickr" on a phone keypad
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(`${dir}/${file}`, 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file);
    }
    return { applied, skipped: done.size };
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
}
