import type pg from 'pg';
import type { Db } from '../db/pool.ts';

type Executor = Db | pg.PoolClient;

/**
 * Operator alerts (migration 0006): what a person must know of, kept until
 * resolved and shown by `GET /api/ops/status`. One alert per cause: the same
 * cause again counts an occurrence and reopens it, never a second row.
 */
export type NewAlert = {
  key: string;
  kind: 'job_dead_lettered' | 'manual_refund_required';
  queue: string | null;
  orderId: string | null;
  message: string;
  /** What Tickr did on its own ('refund_queued'), or 'none': then a person must act. */
  action: 'refund_queued' | 'none';
};

export type Alert = NewAlert & { id: number; occurrences: number; createdAt: string; lastAt: string };

export async function recordAlert(db: Executor, a: NewAlert): Promise<void> {
  await db.query(
    `INSERT INTO operator_alerts (key, kind, queue, order_id, message, action) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET occurrences = operator_alerts.occurrences + 1, last_at = now(),
       message = EXCLUDED.message, action = EXCLUDED.action, resolved_at = NULL`,
    [a.key, a.kind, a.queue, a.orderId, a.message, a.action],
  );
}

type AlertRow = { id: string; key: string; kind: NewAlert['kind']; queue: string | null; order_id: string | null; message: string; action: NewAlert['action'];
  occurrences: number; created_at: Date; last_at: Date; total: number };

/** The open alerts, most recent first, at most `limit`, with how many are open in all. */
export async function selectOpenAlerts(db: Executor, limit: number): Promise<{ open: number; recent: Alert[] }> {
  const { rows } = await db.query<AlertRow>(
    `SELECT id, key, kind, queue, order_id, message, action, occurrences, created_at, last_at, count(*) OVER ()::int AS total
       FROM operator_alerts WHERE resolved_at IS NULL ORDER BY last_at DESC, id DESC LIMIT $1`, [limit]);
  return {
    open: rows[0]?.total ?? 0,
    recent: rows.map((r) => ({
      id: Number(r.id), key: r.key, kind: r.kind, queue: r.queue, orderId: r.order_id, message: r.message, action: r.action,
      occurrences: r.occurrences, createdAt: r.created_at.toISOString(), lastAt: r.last_at.toISOString(),
    })),
  };
}

/** The cause is dealt with: the alert leaves the open list (a recurrence reopens it). */
export async function resolveAlert(db: Executor, key: string): Promise<void> {
  await db.query('UPDATE operator_alerts SET resolved_at = now() WHERE key = $1 AND resolved_at IS NULL', [key]);
}
