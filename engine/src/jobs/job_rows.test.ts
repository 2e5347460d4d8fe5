import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { startJobs, type JobsRuntime } from './boss.ts';
import { insertJobsSql, jobIdOf } from './job_rows.ts';
import type { QueueName } from './queues.ts';

/** A job row written by a Tickr statement is the row `jobs.send` writes, so pg-boss runs, retries and dead-letters it the same. */

let t: TestDatabase;
let jobs: JobsRuntime;

beforeAll(async () => {
  t = await freshDatabase();
  jobs = await startJobs({ dbUrl: t.url, log: () => {}, poolMax: 2 });
});

afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

const insertOne = (key: string, data: object, queue: QueueName = 'payment-confirmed') =>
  t.db.query(`WITH s AS (SELECT $1::text AS key, $2::jsonb AS data), job AS (${insertJobsSql(queue, 'SELECT key, data FROM s')} RETURNING id) SELECT id::text FROM job`, [key, JSON.stringify(data)]);

describe('job rows written by hand', () => {
  it('derives the same job id as jobIdOf for any key', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom<QueueName>('payment-confirmed', 'refund', 'email-send'), async (k, queue) => {
      // A fresh key each run: a key seen before is dropped (no row to compare).
      const key = `${n++}:${k}`;
      const { rows } = await insertOne(key, {}, queue);
      expect(rows[0].id).toBe(jobIdOf(queue, key));
    }), { numRuns: 200 });
  });

  it('writes every column as jobs.send does', async () => {
    const data = { orderId: 'a7c1e9d2-0000-4000-8000-000000000001', paymentId: 'b7c1e9d2-0000-4000-8000-000000000002' };
    await jobs.send('payment-confirmed', data, { key: 'by-send' });
    await insertOne('by-hand', data);
    const { rows } = await t.db.query(
      `SELECT singleton_key AS key, to_jsonb(j) - '{id,singleton_key,start_after,created_on,keep_until}'::text[] AS row,
              keep_until - start_after AS kept, start_after <= now() AS due
         FROM pgboss.job j WHERE name = 'payment-confirmed' AND singleton_key IN ('by-send', 'by-hand') ORDER BY 1`);
    expect(rows).toHaveLength(2);
    const [byHand, bySend] = rows;
    expect(byHand.row).toEqual(bySend.row);
    expect(byHand.kept).toEqual(bySend.kept);
    expect(byHand.due).toBe(true);
    expect(byHand.row.dead_letter).toBe('payment-confirmed-dead');
  });

  it('drops a second job with the same key, sent either way', async () => {
    const data = { orderId: 'o', paymentId: 'p' };
    expect((await insertOne('twice', data)).rows).toHaveLength(1);
    expect((await insertOne('twice', data)).rows).toHaveLength(0);
    await jobs.send('payment-confirmed', data, { key: 'twice' });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'payment-confirmed' AND singleton_key = 'twice'`);
    expect(rows[0].n).toBe(1);
  });
});
