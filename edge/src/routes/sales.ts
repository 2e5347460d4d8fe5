import type { Db } from '../../../engine/src/db/pool.ts';
import { selectSalesPoints } from '../../../engine/src/db/sales.ts';
import { parseQuery, salesQuerySchema } from '../validation.ts';
import type { Router } from '../http/route.ts';
import { eventIdParam, requireOwnEvent } from '../auth/own_event.ts';

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
    await requireOwnEvent(ctx, db, { eventId });
    const { bucket } = parseQuery(salesQuerySchema, ctx.query);
    const points = await selectSalesPoints(db, eventId, bucket, salesBucketsMax);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { eventId, bucket, points: points.map((p) => ({ at: p.at.toISOString(), tickets: p.tickets, revenue: p.revenue })) },
    };
  });
}
