import { setMaxListeners } from 'node:events';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { pgLinkOptions } from '../db/pool.ts';
import {
  jobArchiveCompletedSeconds,
  jobArchiveDeleteSeconds,
  jobBatchSize,
  jobExpireSeconds,
  jobPollingSeconds,
  jobIdlePollFactorExtraWorkers,
  deadLetterPollingSeconds,
  jobRetryDelaySeconds,
  jobRetryLimit,
  jobWorkersPerQueue,
  paymentSweepIdleMs,
  paymentSweepLoops,
} from '../constants.ts';
import type { Logger } from '../log.ts';
import type { DeadLetterHandler } from './dead_letters.ts';
import { jobIdOf, jobsSchema } from './job_rows.ts';
import { queueNames, type BatchJob, type BatchJobHandler, type JobData, type JobDeps, type JobHandler, type Jobs, type ManyJob, type QueueName, type SendOptions, type SqlExecutor } from './queues.ts';

/**
 * pg-boss 10 in its own schema (`pgboss`) of Tickr's database.
 *
 * - Every queue has a dead-letter queue `<name>-dead`: a job that failed its
 *   last retry lands there, and `deadLetter` (jobs/dead_letters.ts) turns it
 *   into an operator alert (and, for tickets-issue, a refund): never lost,
 *   never silent.
 * - `send` derives the job id from (queue, key). pg-boss inserts with
 *   `ON CONFLICT DO NOTHING`, so a second send with the same key is dropped
 *   for as long as the first job is in the job table (queued, active, retrying,
 *   failed, or completed and not yet archived). Handlers stay idempotent for
 *   the time after that.
 * - With `tx`, the job is inserted through the caller's transaction: it exists
 *   if and only if the state change that caused it commits. The pay path
 *   writes its job row in its own statement instead (job_rows.ts), same row.
 * - Completed jobs are archived after a minute and deleted from the archive
 *   after a day, so the job table stays small during a sell-out.
 */

export { jobIdOf, jobsSchema };

export type Handlers = { [Q in QueueName]: JobHandler<Q> } & {
  deadLetter: DeadLetterHandler;
  /**
   * The sweeper of succeeded payments (orders/payment_sweep.ts), run in
   * `paymentSweepLoops` loops beside the queues. `common` is false when the
   * `payment-confirmed` queue has no batch handler (a test replaced its
   * handler): then every payment goes to the queue, so that handler sees it.
   */
  sweep?: (deps: JobDeps, opts: { common: boolean; probe: boolean }) => Promise<number>;
  /** Queues whose fetched batches go to one handler first (queues.ts `BatchJobHandler`); the per-job handler takes what it leaves. */
  batch?: { [Q in QueueName]?: BatchJobHandler<Q> };
};

export type JobsRuntime = Jobs & {
  readonly boss: PgBoss;
  /** Registers a worker loop set per queue; `deps` is handed to every handler. */
  work(handlers: Handlers, deps: JobDeps): Promise<void>;
  /** Stops the workers (waiting for running jobs) and closes pg-boss's pool. */
  stop(): Promise<void>;
};

export function deadLetterOf(queue: string): string {
  return `${queue}-dead`;
}

/** `retry` overrides constants.ts for tests that need a job dead-lettered quickly. */
export async function startJobs(opts: { dbUrl: string; log: Logger; poolMax?: number; retry?: Retry }): Promise<JobsRuntime> {
  const { log } = opts;
  const retry = opts.retry ?? { limit: jobRetryLimit, delaySeconds: jobRetryDelaySeconds, backoff: true };
  const boss = newBoss(opts.dbUrl, opts.poolMax ?? 6, retry);
  boss.on('error', (error) => log('error', `pg-boss: ${error.message}`));
  await setUpQueues(boss, opts.dbUrl, retry);

  let stopped = false;
  const stopping = new AbortController();
  const signal = stopping.signal;
  // Every loop waits on it while it pauses: one listener per loop, not a leak.
  setMaxListeners(queueNames.length * (jobWorkersPerQueue + 1) + paymentSweepLoops, signal);
  const loops: Promise<void>[] = [];
  return {
    boss,
    async send<Q extends QueueName>(queue: Q, data: JobData[Q], options: SendOptions): Promise<void> {
      const sendOptions: PgBoss.SendOptions = { id: jobIdOf(queue, options.key), singletonKey: options.key };
      if (options.startAfter !== undefined) sendOptions.startAfter = options.startAfter;
      const tx = options.tx;
      if (tx !== undefined) sendOptions.db = { executeSql: (text, values) => tx.query(text, values) };
      await boss.send(queue, data as object, sendOptions);
    },
    async sendMany<Q extends QueueName>(queue: Q, many: ManyJob<Q>[], tx: SqlExecutor): Promise<void> {
      if (many.length === 0) return;
      // Same ids and singleton keys as `send`, so a job sent both ways is still one job.
      const rows: PgBoss.JobInsert[] = many.map((job) => ({
        id: jobIdOf(queue, job.key), name: queue, data: job.data as object, singletonKey: job.key,
        ...(job.startAfter === undefined ? {} : { startAfter: job.startAfter.toISOString() }),
      }));
      await boss.insert(rows, { db: { executeSql: (text, values) => tx.query(text, values) } });
    },
    async work(handlers, deps) {
      loops.push(...workLoops(boss, handlers, deps, log, signal));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping.abort();
      // A loop finishes the batch it holds; a handler stuck past the timeout is left
      // to pg-boss's expiry, which hands its job out again.
      await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}

type Retry = { limit: number; delaySeconds: number; backoff: boolean };

function newBoss(dbUrl: string, poolMax: number, retry: Retry): PgBoss {
  return new PgBoss({
    connectionString: dbUrl,
    schema: jobsSchema,
    max: poolMax,
    application_name: 'tickr-jobs',
    // pg-boss hands its options to pg.Pool: TCP keepalive finds an idle connection to a vanished server dead
    // (db/pool.ts). No connectionTimeoutMillis here: pg-pool counts the wait for a free client in it, and pg-boss
    // giving up recording a job's outcome leaves the job to run again only after its expiry (seen in `npm run chaos`).
    // (Spread: pg-boss's types leave out the pg.Pool options it passes on.)
    ...{ keepAlive: pgLinkOptions.keepAlive, keepAliveInitialDelayMillis: pgLinkOptions.keepAliveInitialDelayMillis },
    // Tickr schedules with startAfter, never cron: no clock or cron monitors to poll.
    schedule: false,
    archiveCompletedAfterSeconds: jobArchiveCompletedSeconds,
    archiveFailedAfterSeconds: 7 * 24 * 60 * 60,
    deleteAfterSeconds: jobArchiveDeleteSeconds,
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: retry.backoff,
    expireInSeconds: jobExpireSeconds,
  });
}

/** Every queue and its dead-letter queue, with this node's retry settings. */
async function setUpQueues(boss: PgBoss, dbUrl: string, retry: Retry): Promise<void> {
  // Nodes starting together would deadlock in pg-boss's DDL (createQueue makes
  // partitions): one node at a time sets the job schema and queues up.
  await withSetupLock(dbUrl, async () => {
    await boss.start();
    for (const queue of queueNames) {
      const dead = deadLetterOf(queue);
      // createQueue is a no-op for a queue that exists; updateQueue brings its settings up to date.
      await boss.createQueue(dead, { name: dead, retryLimit: 0 });
      const settings = { name: queue, retryLimit: retry.limit, retryDelay: retry.delaySeconds, retryBackoff: retry.backoff, expireInSeconds: jobExpireSeconds, deadLetter: dead };
      await boss.createQueue(queue, settings);
      await boss.updateQueue(queue, settings);
    }
  });
}

/** The sweep loops and, per queue, its worker loops and its dead-letter loop. */
function workLoops(boss: PgBoss, handlers: Handlers, deps: JobDeps, log: Logger, signal: AbortSignal): Promise<void>[] {
  const loops: Promise<void>[] = [];
  const sweep = handlers.sweep;
  if (sweep !== undefined) {
    const common = handlers.batch?.['payment-confirmed'] !== undefined;
    for (let i = 0; i < paymentSweepLoops; i++) {
      loops.push(sweepLoop((probe) => sweep(deps, { common, probe }), log, signal, paymentSweepIdleMs * (i === 0 ? 1 : jobIdlePollFactorExtraWorkers)));
    }
  }
  for (const queue of queueNames) {
    const handler = handlers[queue] as JobHandler<QueueName>;
    const batch = handlers.batch?.[queue] as BatchJobHandler<QueueName> | undefined;
    const runBatch = batch === undefined ? undefined : (jobs: PgBoss.Job<unknown>[]) => batch(deps, jobs as BatchJob<QueueName>[]);
    for (let i = 0; i < jobWorkersPerQueue; i++) {
      // The first loop of a queue answers new work within `jobPollingSeconds`; the others poll slower when idle,
      // and once busy no loop pauses at all: idle polling is a query a loop, whatever the load.
      const idleMs = jobPollingSeconds * 1000 * (i === 0 ? 1 : jobIdlePollFactorExtraWorkers);
      loops.push(workLoop(boss, queue, false, (job) => handler(deps, job.data as JobData[QueueName]), log, signal, idleMs, runBatch));
    }
    loops.push(workLoop(boss, deadLetterOf(queue), true, (job) => {
      const output = (job as PgBoss.JobWithMetadata).output as { message?: unknown } | null | undefined;
      const error = typeof output?.message === 'string' ? output.message : 'no error recorded';
      return handlers.deadLetter(deps, { queue, data: job.data as Record<string, unknown>, error });
    }, log, signal, deadLetterPollingSeconds * 1000));
  }
  return loops;
}

/**
 * One worker: fetch a batch, hand it to the queue's batch handler if it has
 * one, run each job it did not settle (all of them if it threw) through the
 * per-job handler, then complete the ones that succeeded and fail each one
 * that threw, on its own.
 *
 * Not pg-boss's `work()`: it completes every id of the batch once the callback
 * resolves, with `WHERE state = 'active'`. A job failed mid-batch with no retry
 * delay can be fetched again by another worker before then, and that blanket
 * completion marked the second attempt done while it was still running (or
 * about to fail), so the job was neither retried nor dead-lettered.
 */
async function workLoop(
  boss: PgBoss, queue: string, includeMetadata: boolean, run: (job: PgBoss.Job<unknown>) => Promise<void>, log: Logger, signal: AbortSignal,
  idleMs: number, runBatch?: (jobs: PgBoss.Job<unknown>[]) => Promise<Set<string>>,
): Promise<void> {
  while (!signal.aborted) {
    let jobs: PgBoss.Job<unknown>[];
    try {
      jobs = includeMetadata ? await boss.fetch(queue, { batchSize: jobBatchSize, includeMetadata: true }) : await boss.fetch(queue, { batchSize: jobBatchSize });
    } catch (error) {
      log('error', `pg-boss fetch from ${queue} failed, will poll again: ${(error as Error).message}`);
      jobs = [];
    }
    if (jobs.length === 0) {
      await pause(idleMs, signal);
      continue;
    }
    const done: string[] = [];
    const failed: { id: string; message: string }[] = [];
    let rest = jobs;
    if (runBatch !== undefined) {
      try {
        const settled = await runBatch(jobs);
        rest = jobs.filter((job) => !settled.has(job.id));
        for (const job of jobs) if (settled.has(job.id)) done.push(job.id);
      } catch (error) {
        // Nothing of the batch is lost: each job runs alone, so only the one that caused this fails.
        log('warn', `${queue} batch of ${jobs.length} failed, running each job alone: ${(error as Error).message}`);
      }
    }
    await Promise.all(rest.map(async (job) => {
      try {
        await run(job);
        done.push(job.id);
      } catch (error) {
        const message = `${(error as Error).message} (queue ${queue}, job ${job.id}, ${describe(job.data)})`;
        log(queue.endsWith('-dead') ? 'error' : 'warn', `job failed, will retry or dead-letter: ${message}`);
        failed.push({ id: job.id, message });
      }
    }));
    try {
      if (done.length > 0) await boss.complete(queue, done);
      for (const { id, message } of failed) await boss.fail(queue, id, { message });
    } catch (error) {
      // The jobs stay active and expire; pg-boss then hands them out again, and handlers are idempotent.
      log('error', `pg-boss could not record the outcome of ${jobs.length} ${queue} jobs, they will run again after expiry: ${(error as Error).message}`);
    }
  }
}

/** Sweeps again at once while a sweep finds payments, pauses `idleMs` when one finds none (or fails). */
async function sweepLoop(sweep: (probe: boolean) => Promise<number>, log: Logger, signal: AbortSignal, idleMs: number): Promise<void> {
  let claimed = 0;
  while (!signal.aborted) {
    try {
      // After a sweep that found payments, sweep at once; after one that found none, look first (idle polls stay one statement).
      claimed = await sweep(claimed === 0);
    } catch (error) {
      // Nothing is lost: the payments stay unswept and the next sweep takes them.
      log('error', `payment sweep failed, will sweep again: ${(error as Error).message}`);
      claimed = 0;
    }
    if (claimed === 0) await pause(idleMs, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function describe(data: unknown): string {
  const d = data as Record<string, unknown>;
  if (typeof d.orderId === 'string') return `order ${d.orderId}`;
  if (typeof d.emailId === 'string') return `email ${d.emailId}`;
  if (typeof d.eventId === 'string') return `event ${d.eventId}`;
  if (typeof d.paymentId === 'string') return `payment ${d.paymentId}`;
  return JSON.stringify(data).slice(0, 200);
}

/** Runs `work` while holding a session advisory lock on its own connection; the lock goes with the connection. */
async function withSetupLock<T>(dbUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: dbUrl, application_name: 'tickr-jobs-setup' });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtextextended('tickr:jobs-setup', 0))");
    return await work();
  } finally {
    await client.end().catch(() => {});
  }
}
