import { describe, expect, it } from 'vitest';
import { niceMax, shortNumber } from './charts.ts';
import { buildReport, type ScenarioReport } from './report.ts';
import { groupRows, renderHtml } from './report_html.ts';

const latency = { p50: 6, p75: 9, p90: 13, p97_5: 24, p99: 43, p99_9: 120, max: 130 };
const sample: ScenarioReport = {
  scenario: 'holds',
  results: [
    { name: 'tickr', rps: 5584, p50: 6, p99: 43, errors: 0, cpuUsPerReq: 194.5, pgCpuUsPerReq: 43.3, connections: 50, ratioToHelloWorld: 0.138, timeline: [5000, 6000, 5700], latency },
    { name: 'hello-world', rps: 40604, p50: 1, p99: 3, errors: 0, cpuUsPerReq: 16.8, connections: 50, tickrRatio: 0.138, timeline: [40000, 41000, 40800], latency },
    { name: 'row-lock', rps: 304, p50: 144, p99: 363, errors: 0, cpuUsPerReq: 1913, pgCpuUsPerReq: 989, connections: 50, tickrRatio: 18.4, timeline: [300, 310, 302], latency },
    { name: 'tickr', rps: 6000, p50: 6, p99: 43, errors: 0, cpuUsPerReq: 190, connections: 100 },
  ],
  checks: [
    { name: 'no oversell (GA)', ok: true, detail: 'sold 0 + held 3 = 3 <= capacity 5' },
    { name: 'no oversell (row-lock c=50)', ok: false, detail: 'holds sum 7 > capacity <5>' },
  ],
  figures: { 'tickr/row-lock c=50 (target >= 20)': '18.4 MISSED' },
  notes: ['a note with <markup>'],
};
const machine = { cores: 2, cpuModel: 'Test CPU', node: 'v20.0.0', platform: 'linux 6.1' };

describe('the HTML report', () => {
  const html = renderHtml(buildReport(sample, machine, new Date(2026, 0, 2)), { head: ['name'], table: [['tickr']] });

  it('is one self-contained page: inline SVG charts, nothing fetched', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    // Per connection count: req/s bars, throughput over time, latency percentiles, CPU per request.
    expect(html.match(/<svg /g)?.length).toBe(4 + 2);
    expect(html).toContain('Throughput over the measured run');
    expect(html).toContain('Latency percentiles');
  });

  it('prints the machine, the ratios to Tickr and the failed check', () => {
    expect(html).toContain('2 cores');
    expect(html).toContain('Node v20.0.0');
    expect(html).toContain('Tickr 18.4× this');
    expect(html).toContain('<td class="win"><b>18.4×</b><span>304 req/s</span></td>');
    expect(html).toContain('1 of 2 checks FAILED');
    expect(html).toContain('capacity &lt;5&gt;');
    expect(html).toContain('a note with &lt;markup&gt;');
  });

  it('groups contenders by connection count in the order they ran; stages stay in one group', () => {
    expect(groupRows(sample.results).map((g) => [g.title, g.rows.length])).toEqual([
      ['50 connections', 3],
      ['100 connections', 1],
    ]);
    const stages = [
      { name: 'pay', rps: 1, p50: 1, p99: 1, errors: 0, cpuUsPerReq: null, connections: 100 },
      { name: 'tickets-issue', rps: 1, p50: 0, p99: 0, errors: 0, cpuUsPerReq: 5 },
    ];
    expect(groupRows(stages).map((g) => g.rows.length)).toEqual([2]);
  });
});

describe('chart numbers', () => {
  it('rounds axes up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([niceMax(0), niceMax(7), niceMax(43_000), niceMax(180), niceMax(2400)]).toEqual([1, 10, 50_000, 200, 2500]);
  });

  it('writes numbers short', () => {
    expect([shortNumber(1.234), shortNumber(950), shortNumber(5584), shortNumber(40604), shortNumber(2_500_000)]).toEqual(['1.23', '950', '5,584', '40.6k', '2.5M']);
  });
});
