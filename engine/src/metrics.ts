import { collectDefaultMetrics, Counter, Gauge, Registry, type Histogram } from 'prom-client';

export { Counter, Registry } from 'prom-client';

/**
 * One Prometheus registry per node (prom-client): the edge's counters, the
 * engine's figures read at scrape time, and prom-client's default process
 * metrics (CPU, memory, heap, event-loop lag, GC, handles). A registry of its
 * own, not prom-client's global one, so that two nodes in one process (tests,
 * benchmarks) never mix their figures.
 */
export function nodeRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** One sample: its labels (bounded sets only: worker index, node id) and its value. */
export type Sample = { labels?: Record<string, string>; value: number };

/** A gauge whose value is read from the node's state at each scrape. */
export function gaugeReading(registry: Registry, name: string, help: string, labelNames: string[], read: () => Sample[]): void {
  new Gauge({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of read()) this.set(labels ?? {}, value);
    },
  });
}

/**
 * A counter kept elsewhere (a worker thread, the cluster) and read at each
 * scrape. prom-client's counters only go up by `inc`, so the reading replaces
 * the last one: reset, then add the whole count.
 */
export function counterReading(registry: Registry, name: string, help: string, labelNames: string[], read: () => Sample[]): void {
  new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of read()) this.inc(labels ?? {}, value);
    },
  });
}

/** A histogram counted elsewhere: counts per upper bound (last: +Inf), and the sum of what was observed. */
export type BucketCounts = { labels: Record<string, string>; counts: number[]; sum: number };

type HistogramValue = { metricName: string; labels: Record<string, string | number>; value: number };

/**
 * A histogram whose buckets are counted in the shard workers (worker/group_commit.ts)
 * and arrive with their stats. prom-client's Histogram only counts what it
 * observes itself, so this one hands the registry the values it formats,
 * in the shape Histogram#get() gives (`_bucket` cumulative with `le`, `_sum`,
 * `_count`). The registry reads nothing else of a metric (registry.js).
 */
export function histogramReading(registry: Registry, name: string, help: string, bounds: number[], read: () => BucketCounts[]): void {
  const metric = {
    name, help, type: 'histogram', aggregator: 'sum',
    get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: histogramValues(name, bounds, read()) }),
  };
  registry.registerMetric(metric as unknown as Histogram);
}

function histogramValues(name: string, bounds: number[], readings: BucketCounts[]): HistogramValue[] {
  const values: HistogramValue[] = [];
  for (const { labels, counts, sum } of readings) {
    let cumulative = 0;
    bounds.forEach((bound, i) => {
      cumulative += counts[i] ?? 0;
      values.push({ metricName: `${name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
    });
    cumulative += counts[bounds.length] ?? 0;
    values.push(
      { metricName: `${name}_bucket`, labels: { le: '+Inf', ...labels }, value: cumulative },
      { metricName: `${name}_sum`, labels, value: sum },
      { metricName: `${name}_count`, labels, value: cumulative },
    );
  }
  return values;
}
