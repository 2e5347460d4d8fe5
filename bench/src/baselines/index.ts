import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createPool } from '../../../engine/src/db/pool.ts';
import { freePort, sampleCpu, startChildServer, startRedis, type RedisServer } from '../server.ts';
import { checkPg, checkRedis, preparePg, prepareRedis, type Verdict } from './contenders.ts';
import { checkFloor, prepareFloor } from './group_commit.ts';
import { isGroupCommit, usesPostgres, type BaselineName, type GroupCommitName } from './names.ts';

/**
 * Starts one peer baseline for a run: its tables (or Redis keys) with a fresh
 * ticket type, then its HTTP front (baselines/server.ts) as a child process on
 * a free port. redis-lua starts a private redis-server of its own (redis-lua-aof
 * with `--appendonly yes --appendfsync always`) unless given a `redisUrl`.
 */

/** The baseline cannot run on this machine (no redis-server): skipped, with this message. */
export class BaselineUnavailable extends Error {}

export type BaselineCpu = { serverUs: number; storeUs: number };

export type BaselineHandle = {
  name: BaselineName;
  url: string;
  /** Ignored by the baselines, but in the path as Tickr's is. */
  eventId: string;
  typeId: string;
  /** Tickets on sale (skip-locked: the ticket rows made, at most ticketRowsMax). */
  capacity: number;
  pid: number;
  logFile: string;
  store: 'postgres' | 'redis';
  /** False when the store's processes are not ours to measure (external DATABASE_URL, or a given redisUrl). */
  storeMeasured: boolean;
  /** CPU so far of the HTTP front (with its threads) and of PostgreSQL or Redis. */
  cpu: () => BaselineCpu;
  /**
   * The oversell check, after the load: it first stops the HTTP front, which
   * finishes the holds still in flight (autocannon stops sending, not the
   * server working), so that the check sees every hold that will ever commit.
   * `acknowledged`: the 201s the load got; the group-commit floors also check
   * that every one of them is durable.
   */
  check: (acknowledged?: number) => Promise<Verdict>;
  stop: (opts?: { keepLog?: boolean }) => Promise<void>;
};

export type StartBaselineOptions = {
  capacity: number;
  /** PostgreSQL baselines: the database their tables go to (the bench's: the Tickr node's). */
  databaseUrl?: string;
  /** The postmaster of that PostgreSQL when it is ours (embedded): its CPU is counted. */
  postmasterPid?: number | null;
  /** redis-lua: a Redis to use instead of a private one (its CPU is then not counted). */
  redisUrl?: string;
  broken?: boolean;
  poolSize?: number;
};

/** True when `redis-server` can be run: redis-lua needs one of its own. */
export function redisInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startBaseline(name: BaselineName, opts: StartBaselineOptions): Promise<BaselineHandle> {
  const dir = await mkdtemp(join(tmpdir(), `tickr-bench-${name}-`));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, BASELINE: name, PORT: String(port), BROKEN: opts.broken ? '1' : '0', POOL_SIZE: String(opts.poolSize ?? 16) };
  const cleanups: Cleanups = [() => rm(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
  };
  try {
    const store = usesPostgres(name) ? await preparePostgresStore(name, opts, env, cleanups) : await prepareRedisStore(name, opts, env, cleanups);
    const child = await startChildServer({
      command: process.execPath,
      args: ['--import', 'tsx', 'bench/src/baselines/server.ts'],
      env,
      readyPattern: new RegExp(`listening on http://127\\.0\\.0\\.1:${port}\\b`),
      logFile: join(dir, 'server.log'),
      timeoutMs: 30_000,
    });
    // Stopped before its store, at most once: it finishes its holds in flight and closes its connections first.
    let frontStopped: Promise<void> | undefined;
    const stopFront = () => (frontStopped ??= child.stop());
    cleanups.push(stopFront);
    return {
      name,
      url: `http://127.0.0.1:${port}`,
      eventId: 'bench',
      typeId: store.typeId,
      capacity: store.capacity,
      pid: child.pid,
      logFile: child.logFile,
      store: usesPostgres(name) ? 'postgres' : 'redis',
      storeMeasured: store.storeMeasured,
      cpu: () => {
        const s = child.cpu();
        return { serverUs: s.processUs + s.otherUs, storeUs: store.storeCpu() };
      },
      check: async (acknowledged) => {
        await stopFront();
        return store.check(acknowledged);
      },
      stop: async (stopOpts = {}) => {
        if (stopOpts.keepLog) cleanups.shift();
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Undone in reverse order when the baseline stops; the first removes its folder (and its log). */
type Cleanups = (() => Promise<void>)[];

/** A baseline's store, made ready for one run: its ticket type, its oversell check and its CPU so far. */
type PreparedStore = {
  typeId: string;
  capacity: number;
  check: (acknowledged?: number) => Promise<Verdict>;
  storeCpu: () => number;
  storeMeasured: boolean;
};

/** The baselines `usesPostgres` names (row-lock, advisory-lock, skip-locked, the group-commit floors). */
type PostgresBaseline = Parameters<typeof preparePg>[0] | GroupCommitName;

/** The PostgreSQL baselines' tables in `opts.databaseUrl`; `env` tells the HTTP front where they are. */
async function preparePostgresStore(name: PostgresBaseline, opts: StartBaselineOptions, env: NodeJS.ProcessEnv, cleanups: Cleanups): Promise<PreparedStore> {
  if (!opts.databaseUrl) throw new Error(`${name}: a databaseUrl is required`);
  const db = createPool(opts.databaseUrl, 2);
  cleanups.push(() => db.end());
  const { typeId, capacity } = isGroupCommit(name) ? await prepareFloor(db, opts.capacity) : await preparePg(name, db, opts.capacity);
  env.DATABASE_URL = opts.databaseUrl;
  const postmaster = opts.postmasterPid ?? null;
  return {
    typeId,
    capacity,
    check: (acknowledged) => (isGroupCommit(name) ? checkFloor(db, typeId, acknowledged) : checkPg(name, db, typeId)),
    storeMeasured: postmaster !== null,
    // The postmaster and every process below it (backends, walwriter, checkpointer).
    storeCpu: () => {
      if (postmaster === null) return 0;
      const s = sampleCpu(postmaster);
      return s.processUs + s.postgresUs + s.otherUs;
    },
  };
}

/** redis-lua's keys, in `opts.redisUrl` or in a private redis-server started here; `env` tells the HTTP front where they are. */
async function prepareRedisStore(name: BaselineName, opts: StartBaselineOptions, env: NodeJS.ProcessEnv, cleanups: Cleanups): Promise<PreparedStore> {
  let redisServer: RedisServer | undefined;
  let url = opts.redisUrl;
  if (!url) {
    if (!redisInstalled()) throw new BaselineUnavailable(`${name} skipped: redis-server is not installed (apt-get install redis-server)`);
    redisServer = await startRedis({ durable: name === 'redis-lua-aof' });
    cleanups.push(redisServer.stop);
    url = redisServer.url;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  cleanups.push(async () => void redis.disconnect());
  const prefix = `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
  const { typeId, capacity } = await prepareRedis(redis, prefix, opts.capacity);
  env.REDIS_URL = url;
  env.REDIS_PREFIX = prefix;
  return {
    typeId,
    capacity,
    check: () => checkRedis(redis, prefix, typeId),
    storeMeasured: redisServer !== undefined,
    storeCpu: () => {
      if (!redisServer) return 0;
      const s = sampleCpu(redisServer.pid);
      return s.processUs + s.otherUs;
    },
  };
}
