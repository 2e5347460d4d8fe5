import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../engine/src/db/embedded.ts';
import { freePort } from '../engine/src/testing/ports.ts';
import { startRedis } from '../engine/src/testing/redis_server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server where each test file may create its own database. */
    adminDatabaseUrl: string;
    /** A Redis the test files share; each keeps to its own key prefix (engine/src/testing/redis.ts). */
    redisUrl: string;
  }
}

/**
 * Starts what the tests need, once per run: Postgres from DATABASE_URL, or an
 * embedded one on a free port. Each test file then makes its own database
 * (engine/src/testing/db.ts), so files run in parallel. Redis likewise: from
 * REDIS_URL, or a redis-server of the run's own on a free port (never the
 * machine's Redis on 6379, which may hold someone's data).
 */
export default async function setup(project: TestProject) {
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  try {
    const stopPostgres = await setupPostgres(project);
    return async () => {
      await stopPostgres?.();
      await redis.stop();
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}

async function setupPostgres(project: TestProject) {
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
