/**
 * One of the simulation CLI's worker threads (cli.ts, `--jobs`): runs the
 * seeds `first`, `first + stride`, ... and reports each summary, or the first
 * failure, to the main thread. Started through worker/boot.mjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SimulationFailure } from './checks.ts';
import { simulate, type SimulateOptions, type Summary } from './run.ts';

export type SeedsJob = { first: number; stride: number; end: number; options: Omit<SimulateOptions, 'seed' | 'log'> };
export type SeedsReport = { t: 'summary'; summary: Summary } | { t: 'failed'; seed: number; message: string } | { t: 'finished' };

const job = (workerData as { job: SeedsJob }).job;
const port = parentPort!;
for (let seed = job.first; seed < job.end; seed += job.stride) {
  try {
    port.postMessage({ t: 'summary', summary: await simulate({ ...job.options, seed }) } satisfies SeedsReport);
  } catch (error) {
    const message = error instanceof SimulationFailure ? error.message : `seed ${seed} crashed: ${(error as Error).stack}`;
    port.postMessage({ t: 'failed', seed, message } satisfies SeedsReport);
    break;
  }
}
port.postMessage({ t: 'finished' } satisfies SeedsReport);
