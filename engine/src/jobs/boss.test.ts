import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { deadLetterOf, jobIdOf, startJobs, type Handlers, type JobsRuntime } from './boss.ts';
import type { DeadLetter } from './dead_letters.ts';
import type { JobData, JobDeps, QueueName } from './queues.ts';

/** pg-boss as Tickr runs it: keyed sends, same-transaction enqueue, per-job failure, dead letters. */

let t: TestDatabase;
let jobs: JobsRuntime;
const seen: { queue: QueueName; data: unknown }[] = [];
const deadLetters: DeadLetter[] = [];
const failing = new Set<string>();
const slow = new Set<string>();

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 25_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const record = (queue: QueueName) => async (_deps: JobDeps, data: JobData[QueueName]) => {
  seen.push({ queue, data });
  if ('orderId' in data && slow.has(data.orderId)) await new Promise((resolve) => setTimeout(resolve, 1_500));
  // Fails fast the first time, slowly after: the retry is still running when its first batch ends.
  if ('orderId' in data && data.orderId === 'doomed-in-slow-batch' && seen.filter((s) => (s.data as { orderId?: string }).orderId === data.orderId).length > 1) {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
  if ('orderId' in data && failing.has(data.orderId)) throw new Error(`order ${data.orderId} always fails`);
};

beforeAll(async () => {
  t = await freshDatabase();
  jobs = await startJobs({ dbUrl: t.url, log: () => {}, poolMax: 3, retry: { limit: 1, delaySeconds: 0, backoff: false } });
  const handlers = {
    ...Object.fromEntries((['payment-confirmed', 'tickets-issue', 'email-send', 'event-reminder', 'refund', 'payment-poll'] as const).map((q) => [q, record(q)])),
    deadLetter: async (_deps: JobDeps, dead: DeadLetter) => { deadLetters.push(dead); },
  } as unknown as Handlers;
  await jobs.work(handlers, { db: t.db, jobs, engine: null as never, config: null as never, log: () => {}, now: Date.now });
});

afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

const jobRows = async (queue: string) => (await t.db.query('SELECT id, state, data FROM pgboss.job WHERE name = $1', [queue])).rows;

describe('jobs', () => {
  it('lives in its own schema with a dead-letter queue per queue', async () => {
    const { rows } = await t.db.query('SELECT name, dead_letter FROM pgboss.queue ORDER BY name');
    const queues = new Map(rows.map((r) => [r.name, r.dead_letter]));
    for (const q of ['payment-confirmed', 'tickets-issue', 'email-send', 'event-reminder', 'refund', 'payment-poll']) {
      expect(queues.get(q)).toBe(deadLetterOf(q));
      expect(queues.has(deadLetterOf(q))).toBe(true);
    }
  });

  it('drops a second send with the same key and runs the job once', async () => {
    await Promise.all([1, 2, 3].map(() => jobs.send('tickets-issue', { orderId: 'order-once' }, { key: 'order-once' })));
    await until(async () => seen.some((s) => (s.data as { orderId?: string }).orderId === 'order-once'), 'the job');
    expect(await jobRows('tickets-issue').then((rows) => rows.filter((r) => r.data.orderId === 'order-once'))).toHaveLength(1);
    expect(seen.filter((s) => (s.data as { orderId?: string }).orderId === 'order-once')).toHaveLength(1);
  });

  it('enqueues inside the caller\'s transaction: rolled back, no job; committed, the job', async () => {
    const client = await t.db.connect();
    try {
      await client.query('BEGIN');
      await jobs.send('refund', { orderId: 'rolled-back', reason: 'organizer' }, { key: 'rolled-back', tx: client });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await jobs.send('refund', { orderId: 'committed', reason: 'organizer' }, { key: 'committed', tx: client });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await until(async () => seen.some((s) => (s.data as { orderId?: string }).orderId === 'committed'), 'the committed job');
    expect(await jobRows('refund').then((rows) => rows.map((r) => r.data.orderId))).not.toContain('rolled-back');
    expect(await jobRows('refund').then((rows) => rows.map((r) => r.id))).toContain(jobIdOf('refund', 'committed'));
  });

  it('retries a failing job, then dead-letters it, without failing the other jobs of its batch', async () => {
    failing.add('doomed');
    await jobs.send('payment-confirmed', { orderId: 'doomed', paymentId: 'p1' }, { key: 'p1' });
    await jobs.send('payment-confirmed', { orderId: 'fine', paymentId: 'p2' }, { key: 'p2' });
    await until(async () => (await jobRows(deadLetterOf('payment-confirmed'))).some((r) => r.data.orderId === 'doomed'), 'the dead letter');
    // One try and one retry.
    expect(seen.filter((s) => (s.data as { orderId?: string }).orderId === 'doomed')).toHaveLength(2);
    const states = new Map((await jobRows('payment-confirmed')).map((r) => [r.data.orderId, r.state]));
    expect(states.get('doomed')).toBe('failed');
    expect(['completed', undefined]).toContain(states.get('fine'));
  });

  it('never marks a retried job done because the batch it first failed in finished later', async () => {
    // The failed job is retried at once (no delay) by the other worker while its first
    // batch is still busy with a slow job; completing "the batch" must not complete it.
    failing.add('doomed-in-slow-batch');
    slow.add('slow-sibling');
    await jobs.boss.insert([
      { name: 'payment-confirmed', id: jobIdOf('payment-confirmed', 'p3'), data: { orderId: 'slow-sibling', paymentId: 'p3' } },
      { name: 'payment-confirmed', id: jobIdOf('payment-confirmed', 'p4'), data: { orderId: 'doomed-in-slow-batch', paymentId: 'p4' } },
    ]);
    await until(async () => (await jobRows(deadLetterOf('payment-confirmed'))).some((r) => r.data.orderId === 'doomed-in-slow-batch'), 'the dead letter');
    const states = new Map((await jobRows('payment-confirmed')).map((r) => [r.data.orderId, r.state]));
    expect(states.get('doomed-in-slow-batch')).toBe('failed');
    expect(seen.filter((s) => (s.data as { orderId?: string }).orderId === 'doomed-in-slow-batch')).toHaveLength(2);
  });

  it('hands every dead letter to the dead-letter handler with its queue, data and last error, so none sits unseen', async () => {
    failing.add('doomed-email');
    await jobs.send('email-send', { orderId: 'doomed-email', emailId: 'e1' } as never, { key: 'e1' });
    const dead = await (async () => {
      await until(async () => deadLetters.some((d) => d.data.orderId === 'doomed-email'), 'the dead-letter handler');
      return deadLetters.find((d) => d.data.orderId === 'doomed-email')!;
    })();
    expect(dead.queue).toBe('email-send');
    expect(dead.data).toMatchObject({ emailId: 'e1' });
    expect(dead.error).toMatch(/order doomed-email always fails \(queue email-send, job /);
  });

  it('starts a job no earlier than startAfter', async () => {
    await jobs.send('event-reminder', { eventId: 'later', startsAt: 'x' }, { key: 'later', startAfter: new Date(Date.now() + 3_600_000) });
    const [row] = (await t.db.query(`SELECT state, start_after > now() + interval '50 minutes' AS later FROM pgboss.job WHERE name = 'event-reminder'`)).rows;
    expect(row).toEqual({ state: 'created', later: true });
  });
});
