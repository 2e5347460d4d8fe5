/**
 * Inline SVG charts for the HTML report: horizontal bars and lines over time
 * or over percentiles. Plain strings, no dependency, nothing fetched: the
 * page opens offline. Every number drawn is also in the report's table.
 */

export type Bar = { label: string; value: number; color: string; note?: string; strong?: boolean };
export type Series = { label: string; color: string; points: [number, number][]; strong?: boolean };

const font = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"`;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 12 345 → "12.3k", 950 → "950", 1.25 → "1.25". */
export function shortNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return String(Math.round(value));
  return trim(value);
}

function trim(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

/** A round upper bound for an axis (1, 2, 2.5, 5 times a power of ten), at least `value`. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Horizontal bars, one per contender, the value and a note (a ratio) at the end of each. */
export function barChart(bars: Bar[], opts: { width?: number; unit?: string } = {}): string {
  const width = opts.width ?? 720;
  const labelW = 120;
  const noteW = 150;
  const rowH = 34;
  const top = 8;
  const height = top + bars.length * rowH + 8;
  // Room after the longest bar for its value label.
  const plotW = width - labelW - noteW - 90;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const parts = bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(2, (b.value / max) * plotW);
    const weight = b.strong ? 'font-weight="700"' : '';
    return [
      `<text x="${labelW - 10}" y="${y + 21}" text-anchor="end" font-size="14" fill="#343a40" ${weight}>${escapeXml(b.label)}</text>`,
      `<rect x="${labelW}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowH - 10}" rx="5" fill="${b.color}"${b.strong ? '' : ' fill-opacity="0.85"'}/>`,
      `<text x="${(labelW + w + 8).toFixed(1)}" y="${y + 21}" font-size="13" fill="#212529" ${weight}>${escapeXml(shortNumber(b.value))}${opts.unit ? ` ${escapeXml(opts.unit)}` : ''}</text>`,
      b.note ? `<text x="${width - 4}" y="${y + 21}" text-anchor="end" font-size="13" fill="#495057" ${weight}>${escapeXml(b.note)}</text>` : '',
    ].join('');
  });
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" ${font}>${parts.join('')}</svg>`;
}

export type LineOpts = { width?: number; height?: number; xLabel: string; yLabel: string; logY?: boolean; xTicks?: { at: number; label: string }[] };

/** Lines on shared axes, with a legend; `logY` for latencies that span 1 ms to seconds. */
export function lineChart(series: Series[], opts: LineOpts): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 300;
  const m = { left: 64, right: 16, top: 16, bottom: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const xMax = Math.max(...all.map(([x]) => x));
  const xMin = Math.min(...all.map(([x]) => x));
  const yValues = all.map(([, y]) => y);
  const log = opts.logY === true;
  const positive = yValues.filter((y) => y > 0);
  const yMinLog = Math.floor(Math.log10(Math.max(0.1, positive.length > 0 ? Math.min(...positive) : 1)));
  const yMaxLin = niceMax(Math.max(...yValues));
  const yMaxLog = Math.ceil(Math.log10(Math.max(1, ...yValues) * 1.05));
  const sx = (x: number) => m.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) =>
    log ? m.top + plotH - ((Math.log10(Math.max(y, 10 ** yMinLog)) - yMinLog) / (yMaxLog - yMinLog || 1)) * plotH : m.top + plotH - (y / yMaxLin) * plotH;
  const grid: string[] = [];
  const yTicks = log ? Array.from({ length: yMaxLog - yMinLog + 1 }, (_, i) => 10 ** (yMinLog + i)) : [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMaxLin);
  for (const y of yTicks) {
    const py = sy(y).toFixed(1);
    grid.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${py}" y2="${py}" stroke="#e9ecef"/>`);
    grid.push(`<text x="${m.left - 8}" y="${py}" dy="4" text-anchor="end" font-size="11" fill="#868e96">${shortNumber(y)}</text>`);
  }
  const xTicks = opts.xTicks ?? evenTicks(xMin, xMax).map((at) => ({ at, label: shortNumber(at) }));
  for (const t of xTicks) {
    grid.push(`<text x="${sx(t.at).toFixed(1)}" y="${m.top + plotH + 16}" text-anchor="middle" font-size="11" fill="#868e96">${escapeXml(t.label)}</text>`);
  }
  grid.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#adb5bd"/>`);
  grid.push(`<text x="${m.left + plotW / 2}" y="${m.top + plotH + 34}" text-anchor="middle" font-size="12" fill="#495057">${escapeXml(opts.xLabel)}</text>`);
  grid.push(`<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#495057">${escapeXml(opts.yLabel)}</text>`);
  // The strong series (Tickr) last, so that it is drawn on top.
  const ordered = [...series].sort((a, b) => Number(a.strong ?? false) - Number(b.strong ?? false));
  const lines = ordered.map((s) => {
    const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`).join(' ');
    const dots = s.points.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="${s.strong ? 3.5 : 2.5}" fill="${s.color}"/>`).join('');
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.strong ? 3.5 : 2}" stroke-linejoin="round"/>${dots}`;
  });
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" ${font}>${grid.join('')}${lines.join('')}${legend(series, width, height - 14)}</svg>`;
}

/** About six ticks at round steps; whole numbers only (seconds, counts). */
function evenTicks(min: number, max: number): number[] {
  const step = Math.max(1, niceMax((max - min) / 6));
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) ticks.push(Number(t.toFixed(6)));
  return ticks;
}

function legend(series: Series[], width: number, y: number): string {
  const itemW = Math.min(150, width / Math.max(1, series.length));
  const start = (width - itemW * series.length) / 2;
  return series
    .map((s, i) => {
      const x = start + i * itemW;
      const weight = s.strong ? ' font-weight="700"' : '';
      return `<rect x="${x.toFixed(1)}" y="${y - 9}" width="14" height="4" rx="2" fill="${s.color}"/><text x="${(x + 20).toFixed(1)}" y="${y - 4}" font-size="12" fill="#343a40"${weight}>${escapeXml(s.label)}</text>`;
    })
    .join('');
}
