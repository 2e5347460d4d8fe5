import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../engine/src/db/embedded.ts';
import { freePort } from '../engine/src/testing/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server where each test file may create its own database. */
    adminDatabaseUrl: string;
  }
}

/**
 * Starts what the tests need, once per run: Postgres from DATABASE_URL, or an
 * embedded one on a free port. Each test file then makes its own database
 * (engine/src/testing/db.ts), so files run in parallel.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.DATABASE_URL);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'tickr-test-pg-'));
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  project.provide('adminDatabaseUrl', db.url);
  return async () => {
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
