import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, runOnce } from './autocannon_run.ts';
import { cpuSpent, descendantsOf, freePort, readProcStat, startChildServer, type ChildServer } from './server.ts';

// Server logs of this file's runs, thrown away at the end.
const logs = mkdtempSync(join(tmpdir(), 'bench-test-'));
afterAll(() => rmSync(logs, { recursive: true, force: true }));

describe('load runs against a throwaway uWS server in a child process', () => {
  let server: ChildServer;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startChildServer({
      command: process.execPath,
      args: ['--import', 'tsx', 'bench/src/testing/hello_server.ts'],
      env: { ...process.env, PORT: String(port) },
      readyPattern: new RegExp(`listening on http://127\\.0\\.0\\.1:${port}\\b`),
      logFile: join(logs, `hello-${port}.log`),
      timeoutMs: 20_000,
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('measures answered requests, latency percentiles and status codes', async () => {
    const result = await runOnce({ url, path: '/bench/hello', connections: 4, durationS: 1 });
    expect(result.requests).toBeGreaterThan(100);
    expect(result.rps).toBeGreaterThan(100);
    expect(result.p99).toBeGreaterThanOrEqual(result.p50);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.statusCodes['200']).toBe(result.requests);
  });

  it('gives every request its own headers (a unique Idempotency-Key each)', async () => {
    const result = await runOnce({
      url,
      method: 'POST',
      path: '/echo',
      body: '{"quantity":1}',
      headers: { 'content-type': 'application/json' },
      connections: 8,
      durationS: 1,
      makeRequest: (seq) => ({ headers: { 'idempotency-key': `k-${seq}` } }),
    });
    const stats = (await (await fetch(`${url}/stats`)).json()) as { posts: number; keys: number };
    expect(result.statusCodes['201']).toBe(result.requests);
    // Requests still in flight when autocannon stops reach the server but are not counted as answered.
    expect(stats.posts).toBeGreaterThanOrEqual(result.requests);
    expect(stats.keys).toBe(stats.posts);
  });

  it('counts the server CPU spent during the measured run only', async () => {
    let before = server.cpu();
    let after = before;
    const result = await runLoad(
      { url, path: '/bench/hello', connections: 8, durationS: 1, warmupS: 1 },
      { before: () => (before = server.cpu()), after: () => (after = server.cpu()) },
    );
    const spent = cpuSpent(before, after);
    expect(spent.processUs).toBeGreaterThan(0);
    // A busy server burns at most its threads' worth of CPU in a 1 s run; 2 cores is plenty for a uWS process.
    expect(spent.processUs).toBeLessThan(4_000_000);
    expect(spent.processUs / result.requests).toBeLessThan(10_000);
    expect(spent.postgresUs).toBe(0);
    expect(spent.totalUs).toBe(spent.processUs + spent.postgresUs + spent.otherUs);
  });
});

describe('stopping a server', () => {
  it('ends the process and every process it started', async () => {
    const port = await freePort();
    const server = await startChildServer({
      command: process.execPath,
      args: ['--import', 'tsx', 'bench/src/testing/hello_server.ts'],
      env: { ...process.env, PORT: String(port) },
      readyPattern: /listening on/,
      logFile: join(logs, `hello-${port}.log`),
      timeoutMs: 20_000,
    });
    const family = [readProcStat(server.pid)!, ...descendantsOf(server.pid)];
    await server.stop();
    const alive = family.filter((p) => readProcStat(p.pid)?.startTime === p.startTime);
    expect(alive).toEqual([]);
  });

  it('says why when the server never gets ready', async () => {
    const start = startChildServer({
      command: process.execPath,
      args: ['-e', 'console.log("booting"); process.exit(3)'],
      env: process.env,
      readyPattern: /listening on/,
      logFile: join(logs, 'fail.log'),
      timeoutMs: 20_000,
    });
    await expect(start).rejects.toThrow(/exited \(code 3.*booting/s);
  });
});

describe('the /proc sampler', () => {
  it('reads this process and finds a child below it', async () => {
    const own = readProcStat(process.pid);
    expect(own?.pid).toBe(process.pid);
    expect(own?.cpuTicks).toBeGreaterThan(0);
    const { spawn } = await import('node:child_process');
    const child = spawn('sleep', ['5']);
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(descendantsOf(process.pid).map((p) => p.pid)).toContain(child.pid);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('answers null for a process that is gone', () => {
    expect(readProcStat(2 ** 22 + 1)).toBeNull();
  });
});
