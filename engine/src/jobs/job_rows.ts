import { createHash } from 'node:crypto';
import { jobExpireSeconds } from '../constants.ts';
import type { QueueName } from './queues.ts';

/**
 * pg-boss's job rows, written by a Tickr statement itself (`insertJobsSql`, a
 * data-modifying CTE), so one autocommitted statement can change state and
 * queue its job without BEGIN and COMMIT. The pay path did so for
 * `payment-confirmed` until the payment sweeper (orders/payment_sweep.ts)
 * replaced the job a payment; it has no caller now, and is kept, tested, for
 * the next one-statement path. `jobIdOf` is how every job is named.
 *
 * The row is the one `jobs.send(queue, data, { key })` inserts (boss.ts): the
 * same id from (queue, key), the key as singleton key, and every setting from
 * the queue's row, as pg-boss 10's `insertJob` takes them (every Tickr queue
 * has its settings: startJobs). job_rows.test.ts compares the two rows
 * column by column, so a pg-boss upgrade that changes its insert fails there.
 */

export const jobsSchema = 'pgboss';

/** A UUID from (queue, key): the same key always names the same job row. */
export function jobIdOf(queue: string, key: string): string {
  const h = createHash('sha256').update(queue).update('\u0000').update(key).digest('hex');
  // Shaped as a version-8 (custom) UUID, so Postgres's uuid type takes it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** jobIdOf in SQL, over a column `hex` holding the hex sha256 of queue, a zero byte and key. */
const jobIdFromHex = `(substr(h.hex, 1, 12) || '8' || substr(h.hex, 14, 3)
  || substr('89ab', (position(substr(h.hex, 17, 1) in '0123456789abcdef') - 1) % 4 + 1, 1) || substr(h.hex, 18, 15))::uuid`;

/**
 * An INSERT of one `queue` job per row of `source` (SQL yielding `key text`
 * and `data jsonb`), to use as a data-modifying CTE. A key whose job is still
 * in the job table is dropped, as a second `send` is (ON CONFLICT DO NOTHING).
 */
export function insertJobsSql(queue: QueueName, source: string): string {
  return `INSERT INTO ${jobsSchema}.job (id, name, data, priority, start_after, singleton_key, singleton_on, dead_letter, expire_in, keep_until,
                                   retry_limit, retry_delay, retry_backoff, policy)
    SELECT ${jobIdFromHex}, q.name, s.data, 0, now(), s.key, NULL, q.dead_letter,
           COALESCE(q.expire_seconds, ${jobExpireSeconds}) * interval '1s',
           now() + CAST(COALESCE((q.retention_minutes * 60)::text, '14 days') AS interval),
           COALESCE(q.retry_limit, 2),
           CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(q.retry_delay, 1) ELSE COALESCE(q.retry_delay, 0) END,
           COALESCE(q.retry_backoff, false), q.policy
      FROM (${source}) AS s
      JOIN ${jobsSchema}.queue q ON q.name = '${queue}'
      CROSS JOIN LATERAL (SELECT encode(sha256(convert_to(q.name, 'UTF8') || '\\x00'::bytea || convert_to(s.key, 'UTF8')), 'hex') AS hex) AS h
    ON CONFLICT DO NOTHING`;
}
