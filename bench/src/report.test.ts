import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport, jsonLine, renderMarkdown, renderTable, writeResults, type ScenarioReport } from './report.ts';

const sample: ScenarioReport = {
  scenario: 'holds',
  results: [
    { name: 'tickr', rps: 9876.54, p50: 8, p99: 31, errors: 0, cpuUsPerReq: 212.345, non2xx: 0, requests: 98765, connections: 100, pgCpuUsPerReq: 80.12, ratioToHelloWorld: 0.2468 },
    { name: 'hello-world', rps: 40012.3, p50: 2, p99: 5, errors: 0, cpuUsPerReq: 22.5, non2xx: 0, requests: 400123, connections: 100 },
  ],
  checks: [{ name: 'no oversell (GA)', ok: true, detail: 'sold 0 + held 120000 = 120000 <= capacity 5000000' }],
  figures: { actorCommandsPerSecond: 2_500_000 },
  notes: [],
};
const machine = { cores: 2, cpuModel: 'Test CPU', node: 'v20.0.0', platform: 'linux 6.1' };

describe('the report', () => {
  it('puts the whole report on one JSON line with the agreed shape', () => {
    const line = jsonLine(buildReport(sample, machine, new Date(2026, 0, 2)));
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed.scenario).toBe('holds');
    expect(parsed.machine).toEqual(machine);
    const results = parsed.results as Record<string, unknown>[];
    expect(results.map((r) => r.name)).toEqual(['tickr', 'hello-world']);
    for (const row of results) {
      expect(Object.keys(row).slice(0, 6)).toEqual(['name', 'rps', 'p50', 'p99', 'errors', 'cpuUsPerReq']);
      for (const key of ['rps', 'p50', 'p99', 'errors', 'cpuUsPerReq']) expect(typeof row[key]).toBe('number');
    }
    expect(parsed.date).toBe('2026-01-02');
  });

  it('writes null, not 0, for a CPU figure it could not measure', () => {
    const row = { ...sample.results[1]!, cpuUsPerReq: null };
    const parsed = JSON.parse(jsonLine(buildReport({ ...sample, results: [row] }, machine))) as { results: { cpuUsPerReq: unknown }[] };
    expect(parsed.results[0]!.cpuUsPerReq).toBeNull();
  });

  it('renders a table and a markdown page with every row and check', () => {
    const report = buildReport(sample, machine);
    for (const text of [renderTable(report), renderMarkdown(report)]) {
      expect(text).toContain('hello-world');
      expect(text).toContain('no oversell (GA)');
      expect(text).toContain('actorCommandsPerSecond');
    }
  });

  it('writes <date>-<scenario>.json, .md and .html', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
    try {
      const files = await writeResults(buildReport(sample, machine, new Date(2026, 0, 2)), dir);
      expect(files.json).toBe(join(dir, '2026-01-02-holds.json'));
      expect(JSON.parse(await readFile(files.json, 'utf8')).scenario).toBe('holds');
      expect(await readFile(files.md, 'utf8')).toContain('# bench holds, 2026-01-02');
      expect(files.html).toBe(join(dir, '2026-01-02-holds.html'));
      expect(await readFile(files.html, 'utf8')).toContain('<svg ');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
