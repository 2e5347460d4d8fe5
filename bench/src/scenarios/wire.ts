import { progress, type ResultRow, type ScenarioReport } from '../report.ts';
import { defaultBatchSizes, runWireMicro, type WireCase } from '../wire_micro.ts';
import type { BenchOptions, Scenario } from './index.ts';

/**
 * Scenario `wire`: the main-thread ↔ shard-worker hop alone, in this process
 * (bench/src/wire_micro.ts), for both codecs and batch sizes 1, 10, 100 and
 * 1000. No node, no HTTP, no PostgreSQL.
 *
 * A row is one codec at one batch size: `req/s` is round trips of a batch per
 * second, p50/p99 a batch's round trip, `CPU µs/req` the process CPU (all
 * threads) per batch; the JSON row adds batch size, commands/s, CPU per
 * command and each thread's busy time per batch. `--duration` is the measured
 * time of all eight cases together (default 10 s, `--quick` 3 s).
 */
export const wire: Scenario = { run };

const cases = defaultBatchSizes.length * 2;

export function rowOf(c: WireCase): ResultRow & Record<string, unknown> {
  return {
    name: c.name,
    rps: c.batchesPerSecond,
    p50: c.p50Ms,
    p99: c.p99Ms,
    errors: 0,
    cpuUsPerReq: c.cpuUsPerBatch,
    requests: c.batches,
    batchSize: c.batchSize,
    commandsPerSecond: Math.round(c.commandsPerSecond),
    cpuUsPerCommand: Math.round(c.cpuUsPerCommand * 100) / 100,
    mainBusyUsPerBatch: Math.round(c.mainBusyUsPerBatch * 10) / 10,
    workerBusyUsPerBatch: Math.round(c.workerBusyUsPerBatch * 10) / 10,
    frameBytesOut: c.frameBytesOut,
    frameBytesBack: c.frameBytesBack,
  };
}

async function run(opts: BenchOptions): Promise<ScenarioReport> {
  const seconds = Math.max(0.2, opts.durationS / cases);
  const warmupSeconds = Math.max(0.1, opts.warmupS / cases);
  progress(`wire micro-benchmark: ${cases} cases, ${seconds.toFixed(2)} s each after ${warmupSeconds.toFixed(2)} s of warm-up, in-process`);
  const result = await runWireMicro({ seconds, warmupSeconds });
  const results = result.cases.map(rowOf);
  const figures: ScenarioReport['figures'] = {};
  for (const c of result.cases) figures[`${c.name} commands/s`] = Math.round(c.commandsPerSecond);
  for (const size of defaultBatchSizes) {
    const clone = result.cases.find((c) => c.name === `clone-${size}`);
    const packed = result.cases.find((c) => c.name === `msgpack-${size}`);
    if (clone && packed) figures[`msgpack/clone batches/s at ${size}`] = Math.round((packed.batchesPerSecond / clone.batchesPerSecond) * 1000) / 1000;
  }
  return {
    scenario: 'wire',
    results,
    checks: [],
    figures,
    notes: [
      'req/s = batch round trips per second (one batch in flight), p50/p99 = a batch round trip, CPU µs/req = process CPU (all threads) per batch',
      'the JSON rows also give batchSize, commandsPerSecond, cpuUsPerCommand, mainBusyUsPerBatch, workerBusyUsPerBatch and the msgpack frame sizes',
    ],
  };
}
