import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisInstalled } from '../baselines/index.ts';
import { parseCommandLine } from '../options.ts';
import { useScenarioDatabase } from '../testing/database.ts';
import { buildReport, jsonLine, renderTable } from '../report.ts';
import { forward, summaryFigures } from './forward.ts';
import { failoverRow } from './forward_failover.ts';
import { forwardedCheck, ownerForwardedNothing } from './forward_holds.ts';
import { forwardSettings } from './forward_settings.ts';

// The command line, the settings and the report's shape without a cluster; last, one tiny run with a cluster.

const machine = { cores: 2, cpuModel: 'Test CPU', node: 'v20.0.0', platform: 'linux 6.1' };
const light = { requests: 400, errors: 2, non2xx: 300, durationS: 40, latenciesMs: [1, 2, 3, 4, 100], statusCodes: { '201': 100, '503': 300 }, loops: 4 };

describe('forward options', () => {
  it('defaults to 2 nodes and 10 kills, 3 kills with --quick', () => {
    const { scenario, options } = parseCommandLine(['forward'], {});
    expect(scenario).toBe('forward');
    const full = forwardSettings(options, {});
    expect(full).toMatchObject({ nodes: 2, kills: 10, connections: [100], durationS: 10, warmupS: 2, leaseTtlMs: 5_000 });
    const quick = forwardSettings(parseCommandLine(['forward', '--quick'], {}).options, {});
    expect(quick).toMatchObject({ nodes: 2, kills: 3, durationS: 3, warmupS: 1 });
  });

  it('reads --nodes, --kills and the lease TTL the nodes will get', () => {
    const { options } = parseCommandLine(['forward', '--nodes', '3', '--kills', '5', '--quick', '--connections', '50'], {});
    expect(forwardSettings(options, { TICKR_LEASE_TTL_MS: '2000' })).toMatchObject({ nodes: 3, kills: 5, connections: [50], leaseTtlMs: 2_000 });
    expect(() => forwardSettings(options, { TICKR_LEASE_TTL_MS: 'soon' })).toThrow(/TICKR_LEASE_TTL_MS/);
  });

  it('refuses a cluster of one and kills that are not a count', () => {
    expect(() => parseCommandLine(['forward', '--nodes', '1'], {})).toThrow(/--nodes/);
    expect(() => parseCommandLine(['forward', '--kills', '0'], {})).toThrow(/--kills/);
    expect(() => parseCommandLine(['forward', '--kills', 'x'], {})).toThrow(/--kills/);
  });
});

describe('forward report', () => {
  const settings = forwardSettings(parseCommandLine(['forward', '--quick'], {}).options, {});
  const direct = { name: 'direct', rps: 5000, p50: 18, p99: 90, errors: 0, cpuUsPerReq: 250, non2xx: 0, requests: 15000, connections: 100, via: 'n2', owner: 'n2', forwardedViaNode: 0 };
  const forwarded = { name: 'forwarded', rps: 4000, p50: 22, p99: 120, errors: 0, cpuUsPerReq: 320, non2xx: 0, requests: 12000, connections: 100, via: 'n1', owner: 'n2', forwardedViaNode: 12050, forwardedByOwner: 0 };

  it('sums failover times up: median, max, every kill', () => {
    const row = failoverRow([5200.4, 6100, 5800], 5_000, light);
    expect(row).toMatchObject({ name: 'failover', medianMs: 5800, maxMs: 6100, kills: 3, recovered: 3, leaseTtlMs: 5_000, timesMs: [5200, 6100, 5800] });
    expect(row.rps).toBe(10);
    // A kill that never recovered leaves no max to flatter the run.
    expect(failoverRow([5200, null], 5_000, light)).toMatchObject({ medianMs: 5200, maxMs: null, kills: 2, recovered: 1 });
  });

  it('has the agreed JSON shape: direct, forwarded, failover', () => {
    const fail = failoverRow([5200, 6100, 5800], 5_000, light);
    const figures = summaryFigures([direct, forwarded], fail, settings);
    expect(figures['forwarded/direct req/s c=100']).toBe(0.8);
    expect(figures['target forwarded/direct >= 0.6 c=100']).toBe('met');
    expect(figures['target failover max <= 2 × TTL = 10000 ms']).toBe('met');
    const report = buildReport({ scenario: 'forward', results: [direct, forwarded, fail], checks: [forwardedCheck(forwarded, 100), ownerForwardedNothing(direct, 'n2', 100)], figures, notes: [] }, machine);
    const parsed = JSON.parse(jsonLine(report)) as { scenario: string; machine: unknown; results: Record<string, unknown>[]; checks: { ok: boolean }[] };
    expect(parsed.scenario).toBe('forward');
    expect(parsed.machine).toEqual(machine);
    expect(parsed.results.map((r) => r.name)).toEqual(['direct', 'forwarded', 'failover']);
    for (const row of parsed.results.slice(0, 2)) {
      for (const key of ['rps', 'p50', 'p99', 'errors', 'cpuUsPerReq']) expect(typeof row[key]).toBe('number');
    }
    const failover = parsed.results[2]!;
    for (const key of ['medianMs', 'maxMs', 'kills', 'leaseTtlMs']) expect(typeof failover[key]).toBe('number');
    expect(parsed.checks.every((c) => c.ok)).toBe(true);
    expect(renderTable(report)).toContain('failover median ms: 5800');
  });

  it('checks the forwarded counter against the holds answered, in-flight ones allowed', () => {
    expect(forwardedCheck({ ...forwarded, forwardedViaNode: 12000 }, 100).ok).toBe(true);
    expect(forwardedCheck({ ...forwarded, forwardedViaNode: 12100 }, 100).ok).toBe(true);
    expect(forwardedCheck({ ...forwarded, forwardedViaNode: 0 }, 100).ok).toBe(false);
    expect(forwardedCheck({ ...forwarded, forwardedViaNode: 24000 }, 100).ok).toBe(false);
    expect(ownerForwardedNothing({ ...direct, forwardedViaNode: 3 }, 'n2', 100).ok).toBe(false);
  });

  it('says when a target is missed', () => {
    const slow = failoverRow([5200, 12_000], 5_000, light);
    const figures = summaryFigures([direct, { ...forwarded, rps: 2000 }], slow, settings);
    expect(figures['target forwarded/direct >= 0.6 c=100']).toBe('MISSED');
    expect(figures['target failover max <= 2 × TTL = 10000 ms']).toBe('MISSED');
  });
});

describe.skipIf(!redisInstalled())('forward end to end, tiny', () => {
  const database = useScenarioDatabase();
  const ttlBefore = process.env.TICKR_LEASE_TTL_MS;
  beforeAll(() => {
    // A short lease: the one kill -9 recovers in seconds.
    process.env.TICKR_LEASE_TTL_MS = '2000';
  });
  afterAll(() => {
    if (ttlBefore === undefined) delete process.env.TICKR_LEASE_TTL_MS;
    else process.env.TICKR_LEASE_TTL_MS = ttlBefore;
  });

  it('runs two nodes, direct and forwarded holds and one failover, and every check holds', async () => {
    const { options } = parseCommandLine(['forward', '--duration', '1', '--connections', '4', '--kills', '1', '--capacity', '5000'], {});
    const report = await forward.run({ ...options, warmupS: 0, databaseUrl: database.current.url });
    expect(report.results.map((r) => r.name)).toEqual(['direct', 'forwarded', 'failover']);
    for (const check of report.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
  }, 180_000);
});
