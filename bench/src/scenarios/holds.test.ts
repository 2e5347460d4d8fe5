import { describe, expect, it } from 'vitest';
import { redisInstalled } from '../baselines/index.ts';
import { parseCommandLine } from '../options.ts';
import { useScenarioDatabase } from '../testing/database.ts';
import { buyersFor, holds, machineBounds, targets } from './holds.ts';

describe('buyersFor', () => {
  const base = { observedRps: null, durationS: 10, available: 5_000_000, connections: 100, alreadyMade: 0 };

  it('sizes a 10 s run for at least 40k req/s with headroom, so a fast run never runs out', () => {
    expect(buyersFor(base)).toEqual({ buyers: 6_000, capped: false });
    expect(buyersFor({ ...base, observedRps: 5_000 })).toEqual({ buyers: 6_000, capped: false });
    expect(buyersFor({ ...base, observedRps: 60_000 })).toEqual({ buyers: 9_000, capped: false });
  });

  it('needs no more buyers than the stock left can use, and at least one per connection', () => {
    expect(buyersFor({ ...base, available: 1_000 })).toEqual({ buyers: 100, capped: false });
    expect(buyersFor({ ...base, available: 50_000, connections: 10 })).toEqual({ buyers: 500, capped: false });
    expect(buyersFor({ ...base, available: -5 })).toEqual({ buyers: 100, capped: false });
  });

  it('caps the pool below the node token cache', () => {
    const long = buyersFor({ ...base, durationS: 3_600 });
    expect(long.capped).toBe(true);
    expect(long.buyers).toBe(45_000);
    expect(buyersFor({ ...base, durationS: 3_600, alreadyMade: 44_990 })).toEqual({ buyers: 100, capped: true });
  });
});

describe('targets', () => {
  it('says met or MISSED for each target, and whether the floor itself reaches the ratio targets, at each connection count where both rows ran', () => {
    const row = (name: string, tickrRatio: number | null, connections = 100, rps = 1) => ({ name, rps, p50: 1, p99: 1, errors: 0, cpuUsPerReq: null, connections, tickrRatio });
    const rows = new Map([
      ['group-commit', [row('group-commit', 0.4, 100, 36_000)]],
      ['group-commit-worker', [row('group-commit-worker', 0.6, 100, 24_000)]],
      ['row-lock', [row('row-lock', 24.69), row('row-lock', 12, 1000)]],
      ['redis-lua', [row('redis-lua', 0.319, 100, 30_000)]],
      ['redis-lua-aof', [row('redis-lua-aof', 1.5, 100, 20_000)]],
      ['hello-world', [row('hello-world', null, 100, 60_000)]],
      ['tickr', [{ ...row('tickr', null), p99: 14, cpuUsPerReq: 61.04 }, { ...row('tickr', null, 1000), p99: 251 }]],
    ]);
    expect(targets(rows)).toEqual({
      'tickr/row-lock c=100 (target >= 15)': '24.69 met',
      'tickr/row-lock c=1000 (target >= 15)': '12 MISSED',
      'tickr/redis-lua c=100 (target >= 1)': '0.319 MISSED',
      'tickr/redis-lua-aof c=100 (target >= 1.5)': '1.5 met',
      'group-commit/hello-world c=100 (the floor, target >= 0.5)': '0.6 met',
      'group-commit-worker/hello-world c=100 (the floor, target >= 0.5)': '0.4 MISSED',
      'group-commit/redis-lua c=100 (the floor, target >= 1)': '1.2 met',
      'group-commit-worker/redis-lua c=100 (the floor, target >= 1)': '0.8 MISSED',
      'group-commit/redis-lua-aof c=100 (the floor, target >= 1.5)': '1.8 met',
      'group-commit-worker/redis-lua-aof c=100 (the floor, target >= 1.5)': '1.2 MISSED',
      'tickr p99 ms c=100 (target <= 25)': '14 met',
      'tickr CPU us/hold c=100 (target <= 60)': '61 MISSED',
      'tickr p99 ms c=1000 (target <= 250)': '251 MISSED',
    });
  });
});

describe('machineBounds', () => {
  it('bounds a contender over hello-world by the cores over its server and client CPU per request', () => {
    const row = (name: string, rps: number, cpuUsPerReq: number | null, clientCpuUsPerReq: number | null) => ({ name, rps, p50: 1, p99: 1, errors: 0, cpuUsPerReq, clientCpuUsPerReq, connections: 100 });
    const rows = new Map([
      ['hello-world', [row('hello-world', 60_000, 10, 16)]],
      // 60 + 40 µs a hold: 2 cores answer at most 20,000 a second, a third of hello-world's 60,000.
      ['tickr', [row('tickr', 15_000, 60, 40)]],
      ['group-commit', [row('group-commit', 10_000, 45, 55)]],
      // No CPU figure (not Linux): no bound rather than a guess.
      ['group-commit-worker', [row('group-commit-worker', 10_000, null, 50)]],
      ['redis-lua', [row('redis-lua', 25_000, 33, 40)]],
    ]);
    expect(machineBounds(rows, 2)).toEqual({
      'tickr/hello-world c=100 at most (2 cores ÷ server + client CPU 100 µs/req)': '0.333',
      'tickr/redis-lua c=100 at most (2 cores ÷ server + client CPU 100 µs/req)': '0.8',
      'group-commit/hello-world c=100 at most (2 cores ÷ server + client CPU 100 µs/req)': '0.333',
    });
  });
});

describe('holds end to end, tiny', () => {
  const database = useScenarioDatabase();

  it('measures Tickr, hello-world and the baselines given for a second each, and every check holds', async () => {
    const t = database.current;
    const baselines = redisInstalled() ? 'row-lock,group-commit,redis-lua' : 'row-lock,group-commit';
    const { options } = parseCommandLine(['holds', '--duration', '1', '--connections', '4', '--capacity', '5000', '--baselines', baselines], {});
    // A warm-up too: its 201s count in the floor's check, and the measured run must not replay its keys.
    const report = await holds.run({ ...options, warmupS: 1, databaseUrl: t.url });
    const names = report.results.map((r) => r.name);
    expect(names.slice(0, 3)).toEqual(['tickr', 'hello-world', 'row-lock']);
    for (const row of report.results) {
      expect(row.connections).toBe(4);
      expect(row.timeline?.length).toBeGreaterThan(0);
      expect(row.latency?.p99).toBeGreaterThanOrEqual(row.latency?.p50 ?? 0);
    }
    for (const check of report.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    // The load generator's own CPU is measured beside each server's.
    expect(report.results.find((r) => r.name === 'tickr')?.clientCpuUsPerReq).toBeGreaterThan(0);
    expect(report.checks.map((c) => c.name)).toContain('no oversell (row-lock c=4)');
    // The floor's check counts the 201s it answered: each one a durable row.
    const floor = report.checks.find((c) => c.name === 'no oversell (group-commit c=4)');
    expect(floor?.detail).toMatch(/rows >= [1-9]\d* answered 201/);
    expect(report.figures['group-commit/hello-world c=4 (the floor, target >= 0.5)']).toMatch(/ (met|MISSED)$/);
  }, 120_000);
});
