import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { reapOnExit } from './reap.ts';

/*
 * The one way tests start Redis (no vitest import: the run's global setup
 * uses it too). The run's Redis is REDIS_URL when set; otherwise, and for a
 * test that must restart or flush its Redis, a redis-server of its own on a
 * free port, never the machine's Redis on 6379, which may hold someone's data.
 */

export type TestRedis = {
  url: string;
  port: number;
  /** False when the URL came from REDIS_URL: then there is no process to restart. */
  spawned: boolean;
  /** The redis-server's pid now (it changes on restart); null for REDIS_URL. */
  pid: () => number | null;
  /** The last lines redis-server printed (empty for REDIS_URL). */
  output: () => string;
  /** SIGKILL, `downMs` without Redis, then the same port again (empty: no persistence). */
  restart: (downMs?: number) => Promise<void>;
  flushAll: () => Promise<void>;
  /** Stops a spawned redis-server and deletes its folder; for REDIS_URL, nothing. */
  stop: () => Promise<void>;
};

export type RedisOptions = {
  /** Use REDIS_URL when it is set (the run's shared Redis). Default true; false for a Redis the test may restart. */
  fromEnv?: boolean;
  /** Where it listens: default 127.0.0.1 on a free port. */
  host?: string;
  port?: number;
  /** A command the server runs under, e.g. `['ip', 'netns', 'exec', ns]` (npm run chaos). */
  wrap?: string[];
  startTimeoutMs?: number;
  /** An append-only file fsynced on every write (`--appendfsync always`): as durable as a PostgreSQL commit (the bench's redis-lua-aof). */
  durable?: boolean;
  /** A file that gets everything redis-server prints. */
  logFile?: string;
};

const redisStartMs = 20_000;
const outputKeptChars = 4_000;

export async function startRedis(opts: RedisOptions = {}): Promise<TestRedis> {
  const envUrl = process.env.REDIS_URL;
  if ((opts.fromEnv ?? true) && envUrl) {
    const notOurs = async () => {
      throw new Error('this Redis is REDIS_URL, not a process of the test\'s own: start one with startRedis({ fromEnv: false })');
    };
    return { url: envUrl, port: Number(new URL(envUrl).port || 6379), spawned: false, pid: () => null, output: () => '', restart: notOurs, flushAll: notOurs, stop: async () => {} };
  }
  const binary = redisServerPath();
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'tickr-test-redis-'));
  const url = `redis://${host}:${port}`;
  let child: ChildProcess | null = null;
  let output = '';
  const launch = async () => {
    const persistence = opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(port), '--bind', host, '--save', '', ...persistence, '--dir', dir, ...(host === '127.0.0.1' ? [] : ['--protected-mode', 'no'])];
    const [command, ...rest] = [...(opts.wrap ?? []), binary, ...args];
    const c = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    reapOnExit(c);
    child = c;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-outputKeptChars);
      if (opts.logFile) appendFileSync(opts.logFile, chunk);
    };
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    await waitForPong(host, port, c, () => output, opts.startTimeoutMs ?? redisStartMs);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => c.kill('SIGKILL'), 3_000);
      c.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      c.kill(signal);
    });
  };
  const stop = async () => {
    await halt('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    port,
    spawned: true,
    pid: () => child?.pid ?? null,
    output: () => output,
    restart: async (downMs = 1_000) => {
      await halt('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    flushAll: async () => {
      const reply = await command(host, port, 'FLUSHALL');
      if (!reply.startsWith('+OK')) throw new Error(`FLUSHALL answered ${reply}`);
    },
    stop,
  };
}

function redisServerPath(): string {
  try {
    return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'The tests need Redis: redis-server is not on PATH. Install it (apt-get install -y redis-server), or set REDIS_URL to a Redis the tests may write to.',
    );
  }
}

async function waitForPong(host: string, port: number, child: ChildProcess, output: () => string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}:\n${output()}`);
    if ((await command(host, port, 'PING').catch(() => '')).startsWith('+PONG')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING on ${host}:${port} within ${waitMs} ms:\n${output()}`);
}

/** One raw inline command over TCP, its first reply line: the client library's reconnect loop would only hide why it fails. */
function command(host: string, port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let reply = '';
    socket.setTimeout(2_000, () => {
      socket.destroy();
      reject(new Error(`${line}: no answer from ${host}:${port}`));
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
  });
}
