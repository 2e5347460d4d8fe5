import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { freePort } from '../../engine/src/testing/ports.ts';
import { startRedis as startKitRedis } from '../../engine/src/testing/redis_server.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * A Tickr node as a real child process, as an operator would run it, and the
 * CPU it burns. CPU is read from /proc (Linux): utime + stime of the process
 * (all its threads), plus cutime + cstime (children it has reaped), for the
 * node, its descendants, and the embedded PostgreSQL's postmaster and
 * backends. A backend that exits during a run is reaped by the postmaster, so
 * its time moves into the postmaster's cutime: summing the tree before and
 * after a run counts it once.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Embedded PostgreSQL initialises a cluster on first start; that takes a while on a slow disk. */
const readyTimeoutMs = 180_000;
/** How long a node may take to drain and stop before it is killed. */
const stopGraceMs = 10_000;
const outputTailLines = 40;

let clockTicksPerSecond: number | undefined;
export function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

export { freePort };

export type ProcStat = { pid: number; comm: string; ppid: number; startTime: number; cpuTicks: number };

/** One line of /proc/<pid>/stat; null when the process is gone (or this is not Linux). */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name sits in parentheses and may hold spaces; fields are counted after it.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return { pid, comm: text.slice(text.indexOf('(') + 1, close), ppid: field(4), startTime: field(22), cpuTicks: field(14) + field(15) + field(16) + field(17) };
}

/** Every live process below rootPid, by a walk of the ppid links in /proc. */
export function descendantsOf(rootPid: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (!stat) continue;
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(stat);
    children.set(stat.ppid, siblings);
  }
  const found: ProcStat[] = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      found.push(child);
      stack.push(child.pid);
    }
  }
  return found;
}

/**
 * CPU time consumed so far, in microseconds: the process itself, PostgreSQL
 * (processes below it named postgres, or the tree of a postmaster it started
 * detached), and any other descendant (tsx may keep an esbuild service).
 */
export type CpuSample = { processUs: number; postgresUs: number; otherUs: number };

export function sampleCpu(pid: number, postmasterPid?: number): CpuSample {
  const usPerTick = 1_000_000 / ticksPerSecond();
  const own = readProcStat(pid);
  const seen = new Set<number>();
  let postgres = 0;
  let other = 0;
  for (const p of descendantsOf(pid)) {
    seen.add(p.pid);
    if (p.comm.startsWith('postgres')) postgres += p.cpuTicks;
    else other += p.cpuTicks;
  }
  if (postmasterPid !== undefined && !seen.has(postmasterPid)) {
    for (const p of [readProcStat(postmasterPid), ...descendantsOf(postmasterPid)]) postgres += p?.cpuTicks ?? 0;
  }
  return { processUs: (own?.cpuTicks ?? 0) * usPerTick, postgresUs: postgres * usPerTick, otherUs: other * usPerTick };
}

/** The postmaster of a PostgreSQL data folder, from its postmaster.pid; null when none runs there. */
export function postmasterOf(dataDir: string): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? readProcStat(pid) : null;
}

export function cpuSpent(before: CpuSample, after: CpuSample): CpuSample & { totalUs: number } {
  const spent = {
    processUs: after.processUs - before.processUs,
    postgresUs: after.postgresUs - before.postgresUs,
    otherUs: after.otherUs - before.otherUs,
  };
  return { ...spent, totalUs: spent.processUs + spent.postgresUs + spent.otherUs };
}

export type ChildServer = {
  pid: number;
  logFile: string;
  cpu: () => CpuSample;
  stop: () => Promise<void>;
  /**
   * `kill -9`, as a crash would: SIGKILL, wait for the exit, then SIGKILL what
   * it had started below it, except PostgreSQL (a crash leaves that running too).
   * stop() afterwards is still safe, and still needed.
   */
  crash: () => Promise<void>;
};

export type StartOptions = {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Matched against each output line (stdout and stderr): the server is ready. */
  readyPattern: RegExp;
  logFile: string;
  timeoutMs?: number;
};

/** A server that would not start: its message carries the output tail, a stack would only hide it. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

/**
 * Servers started and not yet stopped, with their fullest stop: stopAll() runs
 * them when the bench is interrupted. A child process is keyed by its pid; a
 * Tickr node by its folder, which outlives a crash and a restart (the key keeps
 * its place in the map, so a restarted node is stopped in its original turn).
 */
const live = new Map<number | string, () => Promise<void>>();

/**
 * Stops everything still running, last started first, one at a time: a node
 * that uses another node's embedded PostgreSQL, or a Redis, stops (and drains
 * into them) before they do.
 */
export async function stopAll(): Promise<void> {
  for (const key of [...live.keys()].reverse()) {
    const stop = live.get(key);
    if (stop) await stop().catch((error: unknown) => process.stderr.write(`stopping ${key}: ${(error as Error).message}
`));
  }
}

/** Starts a server process and resolves once a line of its output matches readyPattern. */
export async function startChildServer(opts: StartOptions): Promise<ChildServer> {
  const child = spawn(opts.command, opts.args, { cwd: opts.cwd ?? repoRoot, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Interrupted while it starts: stopped all the same.
  if (child.pid !== undefined) live.set(child.pid, () => stopChild(child));
  // Appended: a node started again after a crash keeps its earlier output above.
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const tail: string[] = [];
  const timeoutMs = opts.timeoutMs ?? readyTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new ServerStartError(`server ${why}; last output:\n${tail.join('\n')}\n(full log: ${opts.logFile})`));
    timer = setTimeout(() => fail(`not ready after ${timeoutMs / 1000} s`), timeoutMs);
    const onLine = (line: string) => {
      log.write(line + '\n');
      tail.push(line);
      if (tail.length > outputTailLines) tail.shift();
      if (opts.readyPattern.test(line)) resolve();
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
  });
  try {
    await ready;
  } catch (error) {
    await stopChild(child);
    if (child.pid !== undefined) live.delete(child.pid);
    log.end();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const pid = child.pid!;
  const server: ChildServer = {
    pid,
    logFile: opts.logFile,
    cpu: () => sampleCpu(pid),
    stop: async () => {
      live.delete(pid);
      await stopChild(child);
      log.end();
    },
    crash: async () => {
      const below = descendantsOf(pid).filter((p) => !p.comm.startsWith('postgres'));
      if (!(await exited(child, 0))) {
        child.kill('SIGKILL');
        await exited(child, stopGraceMs);
      }
      for (const p of below) if (readProcStat(p.pid)?.startTime === p.startTime) process.kill(p.pid, 'SIGKILL');
    },
  };
  live.set(pid, server.stop);
  return server;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after the grace period; then whatever it left running below it. */
async function stopChild(child: ChildProcess): Promise<void> {
  // A child already gone left nothing below it that is still ours to find (its pid may be someone else's now).
  const orphans = child.pid === undefined || (await exited(child, 0)) ? [] : descendantsOf(child.pid);
  if (!(await exited(child, 0))) {
    child.kill('SIGTERM');
    if (!(await exited(child, stopGraceMs))) {
      child.kill('SIGKILL');
      await exited(child, stopGraceMs);
    }
  }
  // Only the very processes seen below our child: same pid and same start time.
  const alive = () => orphans.filter((p) => readProcStat(p.pid)?.startTime === p.startTime);
  for (const p of alive()) process.kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + stopGraceMs;
  while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const p of alive()) process.kill(p.pid, 'SIGKILL');
}

/**
 * Where and how a node runs, kept so that the very same node (folder, ports,
 * environment: NODE_ID, token secret, operator) can start again after a crash.
 */
export type TickrSpec = {
  dir: string;
  port: number;
  internalPort: number;
  /** The embedded PostgreSQL's port (unused with DATABASE_URL). */
  pgPort: number;
  /** The node's whole environment. */
  env: NodeJS.ProcessEnv;
  /** DATABASE_URL as passed; unset, the node embeds PostgreSQL in `dir`. */
  databaseUrl?: string;
  /** Options for node itself, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
};

export type TickrServer = Omit<ChildServer, 'stop'> & {
  url: string;
  spec: TickrSpec;
  /**
   * Stops the node and deletes its folder; keepLog leaves server.log for a run
   * that failed. After crash() it still stops the embedded PostgreSQL the node
   * left and deletes the folder; after a restart (startTickr({ spec })) stop
   * the new server, never this one.
   */
  stop: (opts?: { keepLog?: boolean }) => Promise<void>;
  /** True when the node embeds PostgreSQL (no DATABASE_URL). */
  embeddedPostgres: boolean;
  /** True when that PostgreSQL's processes were found, so their CPU is counted. */
  postgresFound: boolean;
  /** The embedded PostgreSQL's postmaster, when found: baselines on the same PostgreSQL count its CPU too. */
  postmasterPid: number | null;
  operator: { email: string; password: string };
  /** TICKR_TOKEN_SECRET the node was started with: random per start, so the bench can mint tokens the node accepts. */
  tokenSecret: string;
  /** The node's PostgreSQL: DATABASE_URL as passed, or the embedded server's `tickr` database. */
  databaseUrl: string;
};

async function newSpec(opts: { databaseUrl?: string; extraEnv?: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<TickrSpec> {
  const dir = await mkdtemp(join(tmpdir(), 'tickr-bench-'));
  // Embedded PostgreSQL runs as its own OS user when we are root: it must be able to enter the folder.
  await chmod(dir, 0o755);
  const [port, internalPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  // 32 random bytes, 43 characters: above the node's 32-character minimum, and never the caller's.
  const tokenSecret = randomBytes(32).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    TICKR_INTERNAL_PORT: String(internalPort),
    TICKR_EMBEDDED_PG_PORT: String(pgPort),
    TICKR_SEED_DEMO: '0',
    TICKR_BENCH_ROUTES: '1',
    // Where engine/src/db/embedded.ts keeps the cluster: <data>/pg.
    TICKR_DATA_DIR: join(dir, 'data'),
    TICKR_OPERATOR_EMAIL: 'operator@bench.tickr.test',
    TICKR_OPERATOR_PASSWORD: `bench-${crypto.randomUUID()}`,
    TICKR_TOKEN_SECRET: tokenSecret,
    ...opts.extraEnv,
  };
  delete env.DATABASE_URL;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  // extraEnv may bring its own secret (or drop it): the node must get one the bench knows.
  const nodeSecret = env.TICKR_TOKEN_SECRET;
  if (nodeSecret === undefined || nodeSecret.length < 32) {
    await rm(dir, { recursive: true, force: true });
    throw new Error('startTickr: TICKR_TOKEN_SECRET must be set, at least 32 characters, for the bench to mint tokens');
  }
  return { dir, port, internalPort, pgPort, env, ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}), ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}) };
}

/**
 * `tickr start` on free ports, with the bench routes on and no demo data.
 * DATABASE_URL from the caller's environment is passed on; without it the
 * node embeds PostgreSQL in a throwaway folder. Given the `spec` of a node
 * that crashed, starts that node again: same folder, ports and environment
 * (its embedded PostgreSQL, left running by the crash, is reused).
 */
export async function startTickr(opts: { databaseUrl?: string; extraEnv?: NodeJS.ProcessEnv; nodeArgs?: string[]; spec?: TickrSpec } = {}): Promise<TickrServer> {
  const restart = opts.spec !== undefined;
  const spec = opts.spec ?? (await newSpec(opts));
  const { dir, port } = spec;
  const pgDir = join(dir, 'data', 'pg');
  const server = await startChildServer({
    command: process.execPath,
    args: [...(spec.nodeArgs ?? []), '--import', 'tsx', 'node/src/cli.ts', 'start'],
    env: spec.env,
    // The public port, not the internal one, which may be announced first.
    readyPattern: new RegExp(`listening on http://[^\\s/]+:${port}\\b`),
    logFile: join(dir, 'server.log'),
  }).catch(async (error: unknown) => {
    // A restart that fails leaves the folder (and a PostgreSQL other nodes may use) to the crashed server's stop().
    if (!restart) {
      await stopPostmaster(postmasterOf(pgDir));
      // Keep the log that the message points at; drop the database.
      await rm(join(dir, 'data'), { recursive: true, force: true }).catch(() => {});
    }
    throw error;
  });
  // The node runs its embedded PostgreSQL through pg_ctl, detached (it outlives a Ctrl-C
  // to the node's group): not below the node, so found by its data folder.
  const postmaster = spec.databaseUrl ? null : postmasterOf(pgDir);
  const tickr: TickrServer = {
    ...server,
    url: `http://127.0.0.1:${port}`,
    spec,
    embeddedPostgres: !spec.databaseUrl,
    postgresFound: postmaster !== null,
    postmasterPid: postmaster?.pid ?? null,
    operator: { email: spec.env.TICKR_OPERATOR_EMAIL ?? '', password: spec.env.TICKR_OPERATOR_PASSWORD ?? '' },
    tokenSecret: spec.env.TICKR_TOKEN_SECRET!,
    // engine/src/db/open.ts: the embedded server's `tickr` database, created by the node on start.
    databaseUrl: spec.databaseUrl || `postgres://tickr:tickr@127.0.0.1:${spec.pgPort}/tickr`,
    cpu: () => sampleCpu(server.pid, postmaster?.pid),
    stop: async (stopOpts = {}) => {
      live.delete(dir);
      await server.stop();
      // A node that was killed, or did not stop it, leaves its PostgreSQL running.
      await stopPostmaster(postmaster);
      await rm(stopOpts.keepLog ? join(dir, 'data') : dir, { recursive: true, force: true });
    },
  };
  // Keyed by the folder, in the place of the pid: a restart takes over the crashed node's place.
  live.delete(server.pid);
  live.set(dir, () => tickr.stop({ keepLog: true }));
  return tickr;
}

/**
 * Redis of the bench's own, on a free port, no persistence; stopped by stopAll() too.
 * `durable`: an append-only file fsynced on every write (`--appendfsync always`),
 * as durable as a PostgreSQL commit.
 */
export type RedisServer = { url: string; port: number; pid: number; logFile: string; stop: () => Promise<void> };

export async function startRedis(opts: { durable?: boolean } = {}): Promise<RedisServer> {
  // The test kit's redis-server (engine/src/testing/redis_server.ts), never REDIS_URL: the bench measures a Redis of its own.
  const logDir = await mkdtemp(join(tmpdir(), 'tickr-bench-redis-'));
  const logFile = join(logDir, 'redis.log');
  const server = await startKitRedis({ fromEnv: false, durable: opts.durable ?? false, logFile }).catch(async (error: unknown) => {
    await rm(logDir, { recursive: true, force: true });
    throw new ServerStartError(`redis-server (is it installed?): ${(error as Error).message}`);
  });
  const pid = server.pid()!;
  const redis: RedisServer = {
    url: server.url,
    port: server.port,
    pid,
    logFile,
    stop: async () => {
      live.delete(pid);
      await server.stop();
      await rm(logDir, { recursive: true, force: true });
    },
  };
  live.set(pid, redis.stop);
  return redis;
}

/** Fast shutdown (SIGINT), then SIGKILL; only the very process seen (same pid and start time). */
async function stopPostmaster(postmaster: ProcStat | null): Promise<void> {
  if (postmaster === null) return;
  const alive = () => readProcStat(postmaster.pid)?.startTime === postmaster.startTime;
  if (!alive()) return;
  process.kill(postmaster.pid, 'SIGINT');
  const deadline = Date.now() + stopGraceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(postmaster.pid, 'SIGKILL');
}
