import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { migrationStatementTimeoutMs } from '../constants.ts';
import { projectRoot } from '../project_root.ts';

/** The project's numbered SQL files: `0001_spine.sql`, applied in order. */
export const migrationsDir = join(projectRoot, 'migrations');

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
  // The pool's statement timeout (db/pool.ts) is for requests; a migration, and the lock that waits for
  // another node's, may rightly take long. node-postgres reads query_timeout per query (its types leave it out).
  const q = (text: string, values?: unknown[]) => client.query({ text, values, query_timeout: migrationStatementTimeoutMs } as pg.QueryConfig);
  try {
    await q('SELECT pg_advisory_lock(727274)'); // "tickr" on a phone keypad
    await q(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await q('SELECT name FROM schema_migrations')).rows.map((r: { name: string }) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(`${dir}/${file}`, 'utf8');
      await q('BEGIN');
      try {
        await q(sql);
        await q('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await q('COMMIT');
      } catch (error) {
        await q('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file);
    }
    return { applied, skipped: done.size };
  } finally {
    await q('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
}
