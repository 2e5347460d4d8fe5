import { barChart, escapeXml, lineChart, shortNumber, type Bar, type Series } from './charts.ts';
import type { Report, ResultRow } from './report_types.ts';

/**
 * The report as one self-contained HTML page: inline CSS and inline SVG, no
 * script, nothing fetched, so it opens offline and can be mailed. Per
 * connection count: req/s bars with each contender's ratio to Tickr, req/s
 * per second of the measured run, latency percentiles (log scale), CPU per
 * answered request; then the checks, the targets and the whole table.
 */

const palette: Record<string, string> = {
  tickr: '#e8590c',
  'hello-world': '#adb5bd',
  'row-lock': '#4263eb',
  'advisory-lock': '#7950f2',
  'skip-locked': '#12b886',
  'redis-lua': '#d6336c',
  'redis-lua-aof': '#f59f00',
};
const spare = ['#1098ad', '#5c940d', '#862e9c', '#c92a2a', '#364fc7', '#e67700', '#495057', '#0b7285', '#a61e4d', '#2b8a3e'];

export function colorOf(name: string, index: number): string {
  return palette[name] ?? spare[index % spare.length]!;
}

const percentiles: [keyof NonNullable<ResultRow['latency']>, string][] = [
  ['p50', 'p50'],
  ['p75', 'p75'],
  ['p90', 'p90'],
  ['p97_5', 'p97.5'],
  ['p99', 'p99'],
  ['p99_9', 'p99.9'],
  ['max', 'max'],
];

type Group = { title: string; rows: ResultRow[] };

/**
 * Contenders (a run with a tickr row) by connection count, in the order they
 * ran, so that each chart compares like with like. The stages or gates of one
 * run stay together in one group, whatever their connection counts.
 */
export function groupRows(rows: ResultRow[]): Group[] {
  if (!rows.some((r) => r.name === 'tickr')) return rows.length === 0 ? [] : [{ title: '', rows }];
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = row.connections === undefined ? '' : `${row.connections} connections`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups].map(([title, list]) => ({ title, rows: list }));
}

function ratioNote(row: ResultRow): string | undefined {
  if (row.tickrRatio != null) return row.tickrRatio >= 1 ? `Tickr ${shortNumber(row.tickrRatio)}× this` : `this ${shortNumber(1 / row.tickrRatio)}× Tickr`;
  if (row.ratioToHelloWorld != null) return `${Math.round(row.ratioToHelloWorld * 100)} % of hello-world`;
  return undefined;
}

function throughputCard(group: Group, names: string[]): string {
  // Contenders sorted fastest first; the stages of one run (no tickr row) keep their order.
  const contenders = group.rows.some((r) => r.name === 'tickr');
  const bars: Bar[] = (contenders ? [...group.rows].sort((a, b) => b.rps - a.rps) : group.rows)
    .map((r) => {
      const note = ratioNote(r);
      return { label: r.name, value: r.rps, color: colorOf(r.name, names.indexOf(r.name)), strong: r.name === 'tickr', ...(note ? { note } : {}) };
    });
  return `<h3>Answered requests per second</h3>${barChart(bars, { unit: 'req/s' })}`;
}

function timelineCard(group: Group, names: string[]): string {
  const series: Series[] = group.rows
    .filter((r) => (r.timeline?.length ?? 0) > 0)
    .map((r) => ({ label: r.name, color: colorOf(r.name, names.indexOf(r.name)), strong: r.name === 'tickr', points: r.timeline!.map((n, i): [number, number] => [i + 1, n]) }));
  if (series.length === 0) return '';
  return `<h3>Throughput over the measured run</h3>${lineChart(series, { xLabel: 'second of the measured run', yLabel: 'answers per second' })}`;
}

function latencyCard(group: Group, names: string[]): string {
  const series: Series[] = group.rows
    .filter((r) => r.latency)
    .map((r) => ({ label: r.name, color: colorOf(r.name, names.indexOf(r.name)), strong: r.name === 'tickr', points: percentiles.map(([key], i): [number, number] => [i, r.latency![key]]) }));
  if (series.length === 0) return '';
  const xTicks = percentiles.map(([, label], i) => ({ at: i, label }));
  return `<h3>Latency percentiles (ms, log scale)</h3>${lineChart(series, { xLabel: 'percentile', yLabel: 'ms', logY: true, xTicks })}`;
}

function cpuCard(group: Group, names: string[]): string {
  const rows = group.rows.filter((r) => r.cpuUsPerReq != null);
  if (rows.length === 0) return '';
  const bars: Bar[] = [...rows]
    .sort((a, b) => a.cpuUsPerReq! - b.cpuUsPerReq!)
    .map((r) => {
      const store = r.pgCpuUsPerReq != null ? `of it PostgreSQL ${shortNumber(r.pgCpuUsPerReq)}` : r.redisCpuUsPerReq != null ? `of it Redis ${shortNumber(r.redisCpuUsPerReq)}` : undefined;
      return { label: r.name, value: r.cpuUsPerReq!, color: colorOf(r.name, names.indexOf(r.name)), strong: r.name === 'tickr', ...(store ? { note: store } : {}) };
    });
  return `<h3>Server CPU per answered request (µs, lower is better)</h3>${barChart(bars, { unit: 'µs' })}`;
}

/** The scenario's key figures as tiles, for scenarios without a tickr row (stages, gates, the pipeline). */
const keyFigure = /time to|issued\/s|check-ins\/s|scans\/s|with tickets|answered sold out|fully issued|drain/;

function figureTiles(report: Report): string {
  const picked = Object.entries(report.figures).filter(([k, v]) => keyFigure.test(k) && typeof v === 'number').slice(0, 5);
  if (picked.length === 0) return '';
  const tile = ([k, v]: [string, unknown], i: number) => `<div class="tile${i === 0 ? ' strong' : ''}"><b>${shortNumber(v as number)}</b><span>${escapeXml(k)}</span></div>`;
  return `<div class="tiles">${picked.map(tile).join('')}</div>`;
}

function headline(report: Report): string {
  const tickr = report.results.filter((r) => r.name === 'tickr');
  if (tickr.length === 0) return figureTiles(report);
  const best = tickr.reduce((a, b) => (b.rps > a.rps ? b : a));
  const peers = report.results.filter((r) => r.connections === best.connections && r.tickrRatio != null && r.name !== 'hello-world');
  const tiles = [
    `<div class="tile strong"><b>${shortNumber(best.rps)}</b><span>Tickr holds/s at ${best.connections ?? '?'} connections</span></div>`,
    ...peers.map((p) => `<div class="tile"><b>${shortNumber(p.tickrRatio!)}×</b><span>Tickr's rate over ${escapeXml(p.name)}'s</span></div>`),
  ];
  return `<div class="tiles">${tiles.join('')}</div>`;
}

/**
 * Tickr against each contender at each connection count, in one grid: the
 * run at a glance. Green where Tickr answered more requests a second, red
 * where the contender did.
 */
function ratioGrid(report: Report): string {
  const tickrAt = new Map(report.results.filter((r) => r.name === 'tickr').map((r) => [r.connections, r]));
  const counts = [...tickrAt.keys()];
  const names = [...new Set(report.results.filter((r) => r.tickrRatio != null).map((r) => r.name))];
  if (counts.length === 0 || names.length === 0) return '';
  const cell = (name: string, c: number | undefined) => {
    const row = report.results.find((r) => r.name === name && r.connections === c);
    if (!row || row.tickrRatio == null) return '<td></td>';
    // hello-world is the front's ceiling, not a design Tickr competes with: no colour.
    const verdict = name === 'hello-world' ? '' : row.tickrRatio >= 1 ? 'win' : 'lose';
    return `<td class="${verdict}"><b>${shortNumber(row.tickrRatio)}×</b><span>${shortNumber(row.rps)} req/s</span></td>`;
  };
  const head = counts.map((c) => `<th>${c ?? '?'} conns</th>`).join('');
  const tickrRow = `<tr class="tickr"><th>tickr</th>${counts.map((c) => `<td><b>${shortNumber(tickrAt.get(c)!.rps)}</b><span>req/s</span></td>`).join('')}</tr>`;
  const rows = names.map((n) => `<tr><th>${escapeXml(n)}</th>${counts.map((c) => cell(n, c)).join('')}</tr>`).join('');
  return `<section class="card"><h2>Tickr's rate over each contender's</h2><table class="grid"><thead><tr><th></th>${head}</tr></thead><tbody>${tickrRow}${rows}</tbody></table></section>`;
}

function checksBlock(report: Report): string {
  if (report.checks.length === 0) return '';
  const failed = report.checks.filter((c) => !c.ok).length;
  const verdict = failed === 0 ? `<p class="pill ok">All ${report.checks.length} checks held</p>` : `<p class="pill bad">${failed} of ${report.checks.length} checks FAILED</p>`;
  const items = report.checks.map((c) => `<li class="${c.ok ? 'ok' : 'bad'}"><b>${c.ok ? '✓' : '✗'} ${escapeXml(c.name)}</b> ${escapeXml(c.detail)}</li>`);
  return `${verdict}<details${failed > 0 ? ' open' : ''}><summary>every check</summary><ul class="checks">${items.join('')}</ul></details>`;
}

function figuresBlock(report: Report): string {
  const entries = Object.entries(report.figures);
  if (entries.length === 0) return '';
  const cls = (v: unknown) => (typeof v === 'string' && /\bmet\b/.test(v) ? 'ok' : typeof v === 'string' && /MISSED|not available/.test(v) ? 'bad' : '');
  const items = entries.map(([k, v]) => `<li class="${cls(v)}"><span>${escapeXml(k)}</span><b>${escapeXml(String(v ?? 'n/a'))}</b></li>`);
  return `<section class="card"><h2>Figures and targets</h2><ul class="figures">${items.join('')}</ul></section>`;
}

function tableBlock(view: { head: string[]; table: string[][] }): string {
  const head = view.head.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = view.table.map((row) => `<tr>${row.map((c, i) => `<td${i === 0 ? ' class="name"' : ''}>${escapeXml(c)}</td>`).join('')}</tr>`).join('');
  return `<section class="card"><h2>Every row</h2><div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div></section>`;
}

const style = `
body{margin:0;background:#f4f5f9;color:#212529;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1040px;margin:0 auto;padding:28px 20px 60px}
h1{font-size:28px;margin:0 0 4px}h2{font-size:19px;margin:0 0 12px}h3{font-size:14px;color:#495057;margin:18px 0 6px;font-weight:600}
.machine{color:#495057;margin:0 0 18px}.machine span{display:inline-block;background:#e9ecef;border-radius:12px;padding:2px 10px;margin:2px 6px 2px 0;font-size:13px}
.card{background:#fff;border-radius:14px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:20px 24px;margin:18px 0}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.tile{flex:1 1 140px;background:#fff;border-radius:12px;padding:14px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.tile b{display:block;font-size:26px}.tile span{color:#495057;font-size:13px}.tile.strong{background:#e8590c;color:#fff}.tile.strong span{color:#fff3e6}
.pill{display:inline-block;border-radius:16px;padding:4px 14px;font-weight:600;margin:0 0 8px}.pill.ok{background:#d3f9d8;color:#2b8a3e}.pill.bad{background:#ffe3e3;color:#c92a2a}
ul.checks{list-style:none;padding:0;margin:8px 0;font-size:13px}ul.checks li{padding:3px 0}li.ok b{color:#2b8a3e}li.bad b{color:#c92a2a}
ul.figures{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:6px 18px;font-size:13px}
ul.figures li{display:flex;justify-content:space-between;border-bottom:1px solid #f1f3f5;padding:3px 0;gap:10px}ul.figures li.ok b{color:#2b8a3e}ul.figures li.bad b{color:#c92a2a}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:5px 8px;text-align:right;border-bottom:1px solid #f1f3f5;white-space:nowrap}th{color:#495057;font-weight:600}td.name,th:first-child{text-align:left}
table.grid{width:auto;min-width:60%}table.grid td,table.grid th{text-align:center;padding:8px 14px}table.grid th:first-child{text-align:right}
table.grid td b{display:block;font-size:17px}table.grid td span{font-size:11px;color:#495057}table.grid td.win{background:#ebfbee}table.grid td.win b{color:#2b8a3e}
table.grid td.lose{background:#fff5f5}table.grid td.lose b{color:#c92a2a}table.grid tr.tickr td b{color:#e8590c}
.notes{font-size:13px;color:#495057}.how{font-size:13px;color:#495057;margin-top:6px}
`;

const how = `<p class="how">Ratios come from this one run on this one machine; absolute req/s depend on it (the load generator shares its cores). Tickr's row is drawn in orange; "Tickr 8× this" means Tickr answered 8 times as many requests a second.</p>`;

export function renderHtml(report: Report, view: { head: string[]; table: string[][] }): string {
  const m = report.machine;
  const names = [...new Set(report.results.map((r) => r.name))];
  const groups = groupRows(report.results).map((g) => {
    const cards = [throughputCard(g, names), timelineCard(g, names), latencyCard(g, names), cpuCard(g, names)].join('');
    return `<section class="card"><h2>${escapeXml(g.title || 'Results')}</h2>${cards}</section>`;
  });
  const notes = report.notes.length > 0 ? `<section class="card notes"><h2>Notes</h2><ul>${report.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul></section>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tickr bench: ${escapeXml(report.scenario)}, ${escapeXml(report.date)}</title><style>${style}</style></head>
<body><main>
<h1>Tickr bench · ${escapeXml(report.scenario)}</h1>
<p class="machine"><span>${escapeXml(report.date)}</span><span>${m.cores} cores</span><span>${escapeXml(m.cpuModel)}</span><span>Node ${escapeXml(m.node)}</span><span>${escapeXml(m.platform)}</span></p>
${headline(report)}
${checksBlock(report)}
${report.results.some((r) => r.name === 'tickr') ? how : ''}
${ratioGrid(report)}
${groups.join('\n')}
${figuresBlock(report)}
${tableBlock(view)}
${notes}
</main></body></html>
`;
}
