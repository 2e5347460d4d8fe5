import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderHtml } from './report_html.ts';
import type { Machine, Report, ResultRow, ScenarioReport } from './report_types.ts';

/**
 * What a bench run reports, in three forms: a table on the terminal, one JSON
 * object as the last line of stdout (--json), and a dated .json + .md pair in
 * bench/results/ (git-ignored). Progress goes to stderr, so stdout stays
 * clean for tools.
 */

export type { Check, Machine, Report, ResultRow, ScenarioReport } from './report_types.ts';

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

export function machineInfo(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${platform()} ${release()}`,
  };
}

/** Local calendar date, YYYY-MM-DD: the results file name. */
export function isoDate(at = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

export function buildReport(scenario: ScenarioReport, machine = machineInfo(), at = new Date()): Report {
  // A note repeated at each connection count says nothing new the second time.
  return { ...scenario, notes: [...new Set(scenario.notes)], machine, date: isoDate(at) };
}

function round(value: number | null | undefined, digits: number): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The row as it goes into JSON: the agreed keys first, in a fixed order, then the extras. */
export function jsonRow(row: ResultRow): Record<string, unknown> {
  const { name, rps, p50, p99, errors, cpuUsPerReq, ...rest } = row;
  return {
    name,
    rps: round(rps, 0),
    p50: round(p50, 2),
    p99: round(p99, 2),
    errors,
    cpuUsPerReq: round(cpuUsPerReq, 1),
    ...rest,
    ...(rest.pgCpuUsPerReq !== undefined ? { pgCpuUsPerReq: round(rest.pgCpuUsPerReq, 1) } : {}),
    ...(rest.ratioToHelloWorld !== undefined ? { ratioToHelloWorld: round(rest.ratioToHelloWorld, 3) } : {}),
    ...(rest.tickrRatio !== undefined ? { tickrRatio: round(rest.tickrRatio, 3) } : {}),
    ...(rest.redisCpuUsPerReq !== undefined ? { redisCpuUsPerReq: round(rest.redisCpuUsPerReq, 1) } : {}),
    ...(rest.clientCpuUsPerReq !== undefined ? { clientCpuUsPerReq: round(rest.clientCpuUsPerReq, 1) } : {}),
  };
}

/** The whole report as one line of JSON, with no newline inside it. */
export function jsonLine(report: Report): string {
  return JSON.stringify({
    ...report.headline,
    scenario: report.scenario,
    machine: report.machine,
    results: report.results.map(jsonRow),
    checks: report.checks,
    figures: report.figures,
    notes: report.notes,
    date: report.date,
  });
}

const columns: [string, (row: ResultRow) => string][] = [
  ['name', (r) => r.name],
  ['conns', (r) => (r.connections === undefined ? '' : String(r.connections))],
  ['req/s', (r) => String(round(r.rps, 0))],
  ['p50 ms', (r) => String(round(r.p50, 2))],
  ['p99 ms', (r) => String(round(r.p99, 2))],
  ['errors', (r) => String(r.errors)],
  ['non-2xx', (r) => (r.non2xx === undefined ? '' : String(r.non2xx))],
  ['CPU µs/req', (r) => (r.cpuUsPerReq === null ? 'n/a' : String(round(r.cpuUsPerReq, 1)))],
  ['of it PG', (r) => (r.pgCpuUsPerReq === undefined ? '' : r.pgCpuUsPerReq === null ? 'n/a' : String(round(r.pgCpuUsPerReq, 1)))],
  ['client µs/req', (r) => (r.clientCpuUsPerReq == null ? '' : String(round(r.clientCpuUsPerReq, 1)))],
  ['vs hello', (r) => (r.ratioToHelloWorld == null ? '' : `${round(r.ratioToHelloWorld * 100, 1)} %`)],
  ['tickr ×', (r) => (r.tickrRatio == null ? '' : `${ratioText(r.tickrRatio)}×`)],
];

/** 27.3, 1.42, 0.481: three significant figures or so, never scientific. */
function ratioText(value: number): string {
  return String(value >= 10 ? round(value, 1) : value >= 1 ? round(value, 2) : round(value, 3));
}

function cells(report: Report): string[][] {
  return report.results.map((row) => columns.map(([, cell]) => cell(row)));
}

export function renderTable(report: Report): string {
  const head = columns.map(([title]) => title);
  const body = cells(report);
  const widths = head.map((title, i) => Math.max(title.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  for (const [name, value] of Object.entries(report.figures)) out.push(`${name}: ${value ?? 'n/a'}`);
  for (const check of report.checks) out.push(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  for (const note of report.notes) out.push(`note: ${note}`);
  const m = report.machine;
  out.push(`machine: ${m.cores} cores, ${m.cpuModel}, node ${m.node}, ${m.platform}`);
  return out.join('\n');
}

export function renderMarkdown(report: Report): string {
  const head = columns.map(([title]) => title);
  const out = [
    `# bench ${report.scenario}, ${report.date}`,
    '',
    `Charts: \`${report.date}-${report.scenario}.html\` beside this file.`,
    '',
    `Machine: ${report.machine.cores} cores, ${report.machine.cpuModel}, node ${report.machine.node}, ${report.machine.platform}.`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...cells(report).map((row) => `| ${row.join(' | ')} |`),
    '',
  ];
  if (Object.keys(report.figures).length > 0) {
    out.push(...Object.entries(report.figures).map(([name, value]) => `- ${name}: ${value ?? 'n/a'}`), '');
  }
  if (report.checks.length > 0) {
    out.push('## Checks', '', ...report.checks.map((c) => `- ${c.ok ? 'ok' : '**FAIL**'} ${c.name}: ${c.detail}`), '');
  }
  if (report.notes.length > 0) out.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

/** Writes bench/results/<date>-<scenario>.json, .md and .html; a later run the same day replaces them. */
export async function writeResults(report: Report, dir = resultsDir): Promise<{ json: string; md: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `${report.date}-${report.scenario}`);
  const json = `${base}.json`;
  const md = `${base}.md`;
  await writeFile(json, JSON.stringify(JSON.parse(jsonLine(report)), null, 2) + '\n');
  const html = `${base}.html`;
  await writeFile(md, renderMarkdown(report));
  await writeFile(html, renderHtml(report, { table: cells(report), head: columns.map(([title]) => title) }));
  return { json, md, html };
}

export { countdown, progress } from './progress.ts';
