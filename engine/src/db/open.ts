import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { startEmbeddedPostgres, type EmbeddedDb } from './embedded.ts';
import { createPool, type Db } from './pool.ts';

export type OpenDatabase = { url: string; db: Db; embedded: EmbeddedDb | null };

/**
 * The database of this node: DATABASE_URL, or an embedded PostgreSQL whose
 * data stays in the project's data folder between runs (`npm start`).
 */
export async function openDatabase(config: Config, log: Logger): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, db: createPool(config.databaseUrl, 20), embedded: null };
  }
  log('info', `DATABASE_URL is not set: starting an embedded PostgreSQL in ${config.dataDir} on port ${config.embeddedPgPort}`);
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    persistent: true,
    log: (line) => log('debug', `postgres: ${line.trim()}`),
  });
  const admin = createPool(embedded.url, 1);
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'tickr'`);
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE tickr');
  await admin.end();
  const url = embedded.url.replace(/\/postgres$/, '/tickr');
  return { url, db: createPool(url, 20), embedded };
}
