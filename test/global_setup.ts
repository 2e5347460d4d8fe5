import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../engine/src/db/embedded.ts';
import { freePort } from '../engine/src/testing/ports.ts';

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
  const redis = await startTestRedis();
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

const redisStartMs = 10_000;

async function startTestRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  const binary = redisServerPath();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tickr-test-redis-'));
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  const stop = async () => {
    await kill(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPong(port, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
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

async function waitForPong(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + redisStartMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}:\n${output()}`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${redisStartMs} ms:\n${output()}`);
}

/** One raw PING over TCP: the client library's reconnect loop would only hide why it fails. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
