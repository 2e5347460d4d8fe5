import type { Db } from '../../../engine/src/db/pool.ts';
import { parseQuery, salesQuerySchema } from '../validation.ts';
import type { Router } from '../http/route.ts';
import { requireOrganizerOf } from './checkin_access.ts';
import { eventIdParam } from './events.ts';

/**
 * `GET /api/events/:id/sales?bucket=minute|hour|day`: tickets sold and revenue
 * per time bucket, by when the order was paid, for the organizer's
 * sales-over-time chart. Refunded orders count where they were sold (the
 * payout report shows refunds); at most `salesBucketsMax` buckets, the latest.
 */
export type SalesDeps = { db: Db };

export const salesBucketsMax = 500;

export function mountSales(router: Router, { db }: SalesDeps): void {
  router.route('get', '/api/events/:id/sales', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOrganizerOf(ctx, db, eventId);
    const { bucket } = parseQuery(salesQuerySchema, ctx.query);
    const { rows } = await db.query<{ at: Date; tickets: number; revenue: string }>(
      `SELECT * FROM (
         SELECT date_trunc($2, paid_at) AS at, sum(quantity)::int AS tickets, sum(amount)::bigint AS revenue
           FROM orders WHERE event_id = $1 AND paid_at IS NOT NULL AND status IN ('paid', 'ticketed', 'refunded')
          GROUP BY 1 ORDER BY 1 DESC LIMIT $3) b ORDER BY at`, [eventId, bucket, salesBucketsMax]);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { eventId, bucket, points: rows.map((r) => ({ at: r.at.toISOString(), tickets: r.tickets, revenue: Number(r.revenue) })) },
    };
  });
}
