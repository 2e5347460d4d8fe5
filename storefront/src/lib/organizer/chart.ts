/**
 * The sales-over-time chart as inline SVG paths: cumulative tickets sold
 * against time, scaled into a `width` × `height` box with round ticks on the
 * vertical axis. Pure, so it is tested without a browser.
 */
export type SalesPoint = { at: number; tickets: number };
export type ChartGeometry = { line: string; area: string; yTicks: { y: number; value: number }[]; xLabels: { x: number; at: number }[]; max: number };

/** 1, 2, 5, 10, 20, 50… : the smallest step that draws at most `count` gridlines up to `max`. */
export function niceStep(max: number, count = 4): number {
  const raw = Math.max(1, max) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  // Tickets are whole: never a step under one.
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return Math.max(1, m * power);
  return Math.max(1, 10 * power);
}

/** Per-bucket sales → a running total, starting from zero just before the first sale. */
export function cumulative(points: readonly { at: string; tickets: number }[], bucketMs: number): SalesPoint[] {
  const out: SalesPoint[] = [];
  let total = 0;
  for (const p of points) {
    const at = Date.parse(p.at);
    if (out.length === 0) out.push({ at: at - bucketMs, tickets: 0 });
    total += p.tickets;
    out.push({ at, tickets: total });
  }
  return out;
}

export function chartGeometry(series: readonly SalesPoint[], width: number, height: number): ChartGeometry | null {
  if (series.length < 2) return null;
  const t0 = series[0]!.at;
  const t1 = Math.max(series[series.length - 1]!.at, t0 + 1);
  const top = Math.max(...series.map((p) => p.tickets));
  const step = niceStep(top);
  const max = Math.max(step, Math.ceil(top / step) * step);
  const x = (at: number) => ((at - t0) / (t1 - t0)) * width;
  const y = (v: number) => height - (v / max) * height;
  // A step line: sales happen in a bucket, the total holds until the next one.
  let line = `M${x(series[0]!.at).toFixed(1)},${y(series[0]!.tickets).toFixed(1)}`;
  for (let n = 1; n < series.length; n++) {
    const p = series[n]!;
    line += ` H${x(p.at).toFixed(1)} V${y(p.tickets).toFixed(1)}`;
  }
  const area = `${line} V${height} H${x(series[0]!.at).toFixed(1)} Z`;
  const yTicks: ChartGeometry['yTicks'] = [];
  for (let v = 0; v <= max; v += step) yTicks.push({ y: y(v), value: v });
  const xLabels = [0, 0.5, 1].map((f) => ({ x: f * width, at: t0 + f * (t1 - t0) }));
  return { line, area, yTicks, xLabels, max };
}
