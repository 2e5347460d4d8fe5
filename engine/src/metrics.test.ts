import { Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { counterReading, gaugeReading, histogramReading, nodeRegistry, Registry } from './metrics.ts';

describe('the node registry', () => {
  it('includes the default process metrics', async () => {
    const text = await nodeRegistry().metrics();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('keeps two nodes of one process apart', async () => {
    const a = nodeRegistry();
    const b = nodeRegistry();
    gaugeReading(a, 'tickr_cluster_nodes', 'Live nodes.', [], () => [{ value: 3 }]);
    expect(await a.metrics()).toContain('tickr_cluster_nodes 3');
    expect(await b.metrics()).not.toContain('tickr_cluster_nodes');
  });
});

describe('readings', () => {
  it('reads a counter kept elsewhere anew at each scrape', async () => {
    const registry = new Registry();
    let restarts = 1;
    counterReading(registry, 'tickr_worker_restarts_total', 'Restarts.', [], () => [{ value: restarts }]);
    expect(await registry.metrics()).toContain('tickr_worker_restarts_total 1\n');
    restarts = 4;
    expect(await registry.metrics()).toContain('tickr_worker_restarts_total 4\n');
  });

  it('drops a label set that is no longer read', async () => {
    const registry = new Registry();
    let workers = ['0', '1'];
    gaugeReading(registry, 'tickr_worker_mailbox_depth', 'Depth.', ['worker'], () => workers.map((worker) => ({ labels: { worker }, value: 2 })));
    expect(await registry.metrics()).toContain('tickr_worker_mailbox_depth{worker="1"} 2');
    workers = ['0'];
    expect(await registry.metrics()).not.toContain('worker="1"');
  });

  it('formats bucket counts from a worker exactly as prom-client formats the same observations', async () => {
    const bounds = [0.001, 0.005, 0.025, 0.1];
    const observed = [0.0004, 0.002, 0.002, 0.03, 0.5, 0.09];
    const counts = new Array(bounds.length + 1).fill(0) as number[];
    for (const value of observed) {
      const i = bounds.findIndex((bound) => value <= bound);
      counts[i === -1 ? bounds.length : i]!++;
    }
    const sum = observed.reduce((a, b) => a + b, 0);

    const counted = new Registry();
    histogramReading(counted, 'tickr_journal_flush_seconds', 'Flush time.', bounds, () => [{ labels: { worker: '0' }, counts, sum }]);
    const reference = new Registry();
    const histogram = new Histogram({ name: 'tickr_journal_flush_seconds', help: 'Flush time.', labelNames: ['worker'], buckets: bounds, registers: [reference] });
    for (const value of observed) histogram.observe({ worker: '0' }, value);

    expect(await counted.metrics()).toBe(await reference.metrics());
  });
});
