import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { flushesInFlightDefault } from '../constants.ts';
import { SimulationFailure } from './checks.ts';
import { simulate, type Summary } from './run.ts';
import type { SeedsJob, SeedsReport } from './seeds_worker.ts';
import { noFaults, type Faults, type Variant } from './world.ts';

/**
 * `npm run simulate -- --seeds 100000 [--from N] [--steps S] [--in-flight F] [--jobs J]` runs
 * seeds on J worker threads (default: one per core); `--seed N --verbose`
 * replays one and prints what happened.
 * On the first broken invariant it prints the seed and the command that
 * replays it, and exits 1.
 */
const stepsDefault = 10_000;

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    from: { type: 'string' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    nodes: { type: 'string' },
    shards: { type: 'string' },
    'in-flight': { type: 'string' },
    jobs: { type: 'string' },
    variant: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got ${raw}`);
    process.exit(2);
  }
  return n;
}

const variants: Record<string, Partial<Variant>> = {
  correct: {},
  'no-fencing': { fencing: false },
  'retake-before-drain': { retakeBeforeDrain: true },
  'keep-past-gap': { keepPastGap: true },
  // Bugs planted in the engine's own classes.
  'ack-before-commit': { groupCommitBug: 'ackBeforeCommit' },
  'release-before-commit': { groupCommitBug: 'releaseBeforeCommit' },
  'release-out-of-order': { groupCommitBug: 'releaseOutOfOrder' },
  'renew-without-check': { leaseKeeperBug: 'renewWithoutCheck' },
};
const variantName = values.variant ?? 'correct';
const variant = variants[variantName];
if (variant === undefined) {
  console.error(`--variant must be one of ${Object.keys(variants).join(', ')}`);
  process.exit(2);
}
const steps = count('steps', values.steps, stepsDefault);
const nodes = count('nodes', values.nodes, 3);
const shards = count('shards', values.shards, 4);
const inFlight = count('in-flight', values['in-flight'], flushesInFlightDefault);
const single = values.seed !== undefined;
const from = single ? count('seed', values.seed, 1) : count('from', values.from, 1);
const seeds = single ? 1 : count('seeds', values.seeds, 1_000);
const jobs = values.verbose ? 1 : Math.max(1, count('jobs', values.jobs, availableParallelism()));

/** The flags to pass again so a replay runs the same world. */
function replayCommand(seed: number): string {
  const extra = [
    steps !== stepsDefault ? ` --steps ${steps}` : '',
    nodes !== 3 ? ` --nodes ${nodes}` : '',
    shards !== 4 ? ` --shards ${shards}` : '',
    inFlight !== flushesInFlightDefault ? ` --in-flight ${inFlight}` : '',
    variantName !== 'correct' ? ` --variant ${variantName}` : '',
  ].join('');
  return `npm run simulate -- --seed ${seed}${extra} --verbose`;
}

const totals = { commits: 0, fencedFlushes: 0, failovers: 0, acknowledged: 0, outOfOrderCommits: 0, cutEntries: 0, commitsAfterDeath: 0 };
const faults = { ...noFaults };
const startedAt = performance.now();
let lastReportAt = startedAt;
let done = 0;

function add(summary: Summary): void {
  if (values.verbose) console.log(summary);
  for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += summary[key];
  for (const kind of Object.keys(faults) as (keyof Faults)[]) faults[kind] += summary.faults[kind];
  done++;
  const now = performance.now();
  if (now - lastReportAt > 2_000) {
    lastReportAt = now;
    console.log(`${done}/${seeds} seeds, ${Math.round((done * 1000) / (now - startedAt))} seeds/s, ${totals.fencedFlushes} fenced flushes so far`);
  }
}

function failed(seed: number, message: string): never {
  console.error(`\nFAILED ${message}`);
  console.error(`replay: ${replayCommand(seed)}`);
  process.exit(1);
}

const options = { steps, nodes, shards, flushesInFlight: inFlight, variant };
if (jobs === 1 || seeds === 1) {
  for (let seed = from; seed < from + seeds; seed++) {
    try {
      add(await simulate({ ...options, seed, log: values.verbose ? (line) => console.log(line) : undefined }));
    } catch (error) {
      failed(seed, error instanceof SimulationFailure ? error.message : `seed ${seed} crashed: ${(error as Error).stack}`);
    }
  }
} else {
  // Seeds are independent: each worker thread takes every jobs-th one. The totals are sums, so they do not depend on the order.
  const entry = new URL(`./seeds_worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
  await Promise.all(
    Array.from({ length: jobs }, (_, i) => new Promise<void>((resolve, reject) => {
      const job: SeedsJob = { first: from + i, stride: jobs, end: from + seeds, options };
      const worker = new Worker(new URL('../worker/boot.mjs', import.meta.url), { workerData: { entry, job } });
      worker.on('message', (report: SeedsReport) => {
        if (report.t === 'summary') add(report.summary);
        else if (report.t === 'failed') failed(report.seed, report.message);
        else void worker.terminate().then(() => resolve());
      });
      worker.on('error', reject);
    })),
  );
}
const seconds = (performance.now() - startedAt) / 1000;
console.log(
  `ok: ${seeds} seed(s) from ${from}, ${steps} steps each, ${jobs} job(s), ${seconds.toFixed(1)} s, ${(seeds / seconds).toFixed(0)} seeds/s; ` +
    `${totals.commits} commits (${totals.outOfOrderCommits} out of order, ${totals.commitsAfterDeath} after their worker died), ` +
    `${totals.fencedFlushes} fenced flushes, ${totals.cutEntries} entries cut at a gap, ` +
    `${totals.failovers} failovers, ${totals.acknowledged} answers acknowledged, no invariant broken`,
);
console.log(`faults injected: ${Object.entries(faults).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
