import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { startJobs, type Handlers, type JobsRuntime } from './boss.ts';
import type { DeadLetter } from './dead_letters.ts';
import type { BatchJob, JobDeps } from './queues.ts';

/** The worker loop with a batch handler: what it settles is done, the rest (or all, when it throws) runs per job, and a failure stays one job's. */

let t: TestDatabase;
let jobs: JobsRuntime;
const batches: string[][] = [];
const alone: string[] = [];
const deadLetters: DeadLetter[] = [];

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  t = await freshDatabase();
  jobs = await startJobs({ dbUrl: t.url, log: () => {}, poolMax: 3, retry: { limit: 0, delaySeconds: 0, backoff: false } });
  const nothing = async () => {};
  const handlers = {
    'payment-confirmed': nothing, 'tickets-issue': nothing, 'event-reminder': nothing, refund: nothing, 'payment-poll': nothing,
    'email-send': async (_deps: JobDeps, { emailId }: { emailId: string }) => {
      alone.push(emailId);
      if (emailId.startsWith('poison')) throw new Error(`${emailId} cannot be sent`);
    },
    deadLetter: async (_deps: JobDeps, dead: DeadLetter) => { deadLetters.push(dead); },
    batch: {
      'email-send': async (_deps: JobDeps, batch: BatchJob<'email-send'>[]) => {
        batches.push(batch.map((j) => j.data.emailId));
        if (batch.some((j) => j.data.emailId.startsWith('poison'))) throw new Error('the batch cannot be sent');
        return new Set(batch.filter((j) => j.data.emailId.startsWith('b-')).map((j) => j.id));
      },
    },
  } as unknown as Handlers;
  await jobs.work(handlers, { db: t.db, jobs, engine: null as never, config: null as never, log: () => {}, now: Date.now });
});

afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

const states = async (keys: string[]) => (await t.db.query<{ state: string }>(
  `SELECT state FROM pgboss.job WHERE name = 'email-send' AND singleton_key = ANY($1::text[]) UNION ALL
   SELECT state FROM pgboss.archive WHERE name = 'email-send' AND singleton_key = ANY($1::text[])`, [keys])).rows.map((r) => r.state);

/** Committed together, so one fetch sees them all: one batch. */
async function sendInOneTransaction(ids: string[]): Promise<void> {
  const client = await t.db.connect();
  try {
    await client.query('BEGIN');
    await jobs.sendMany('email-send', ids.map((id) => ({ data: { emailId: id }, key: id })), client);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

describe('a worker loop with a batch handler', () => {
  it('completes what the batch settled and runs only the rest alone', async () => {
    await sendInOneTransaction(['b-1', 'b-2', 'p-1']);
    await until(async () => (await states(['b-1', 'b-2', 'p-1'])).filter((s) => s === 'completed').length === 3, 'all three completed');
    expect(batches.flat().sort()).toEqual(['b-1', 'b-2', 'p-1']);
    expect(alone).toEqual(['p-1']);
  });

  it('runs every job of a batch that threw alone, so only the bad one fails and is dead-lettered', async () => {
    alone.length = 0;
    await sendInOneTransaction(['poison-1', 'b-3']);
    await until(() => deadLetters.length === 1, 'the poison job dead-lettered');
    expect(deadLetters[0]).toMatchObject({ queue: 'email-send', data: { emailId: 'poison-1' } });
    expect(deadLetters[0]!.error).toMatch(/poison-1 cannot be sent/);
    await until(async () => (await states(['b-3'])).includes('completed'), 'b-3 completed');
    expect(alone.sort()).toEqual(['b-3', 'poison-1']);
  });
});
