import type { Db } from './pool.ts';

/** A time bucket of the organizer's sales chart. */
export type SalesBucket = 'minute' | 'hour' | 'day';
export type SalesPoint = { at: Date; tickets: number; revenue: number };

/**
 * Tickets sold and revenue of an event per time bucket, by when the order was
 * paid, oldest first; the latest `limit` buckets. Refunded orders count where
 * they were sold (the payout report shows refunds).
 */
export async function selectSalesPoints(db: Db, eventId: string, bucket: SalesBucket, limit: number): Promise<SalesPoint[]> {
  const { rows } = await db.query<{ at: Date; tickets: number; revenue: string }>(
    `SELECT * FROM (
       SELECT date_trunc($2, paid_at) AS at, sum(quantity)::int AS tickets, sum(amount)::bigint AS revenue
         FROM orders WHERE event_id = $1 AND paid_at IS NOT NULL AND status IN ('paid', 'ticketed', 'refunded')
        GROUP BY 1 ORDER BY 1 DESC LIMIT $3) b ORDER BY at`, [eventId, bucket, limit]);
  return rows.map((r) => ({ at: r.at, tickets: r.tickets, revenue: Number(r.revenue) }));
}
