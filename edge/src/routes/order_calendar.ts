import { isCalendarToken } from '../../../engine/src/calendar/calendar_link.ts';
import { orderCalendarFile } from '../../../engine/src/calendar/order_calendar.ts';
import type { Config } from '../../../engine/src/config.ts';
import { selectEvent } from '../../../engine/src/db/events.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { orderNumber } from '../../../engine/src/orders/receipt.ts';
import { selectOrder } from '../../../engine/src/orders/orders_db.ts';
import { isSold } from '../../../engine/src/orders/states.ts';
import { requireRole } from '../auth/guard.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { calendarQuerySchema, parseQuery } from '../validation.ts';
import { orderIdParam, orderNotFound } from './orders.ts';

/**
 * The .ics file of an order's event (#15), for its buyer only: signed in, or
 * holding the signed link of the confirmation email (calendar_link.ts). A
 * wrong token, someone else's order and a missing order answer alike (404),
 * so order ids cannot be probed. Only an order that bought tickets has one.
 */
export function mountOrderCalendar(router: Router, { config, db }: { config: Config; db: Db }): void {
  router.route('get', '/api/orders/:id/calendar', async (ctx) => {
    const id = orderIdParam(ctx);
    const { token } = parseQuery(calendarQuerySchema, ctx.query);
    let buyerId: string | null = null;
    if (token !== undefined) {
      if (!isCalendarToken(config.tokenSecret, id, token)) throw orderNotFound();
    } else {
      buyerId = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin').sub;
    }
    const order = await selectOrder(db, id);
    if (order === null || (buyerId !== null && order.buyerId !== buyerId)) throw orderNotFound();
    if (!isSold(order.status)) throw new HttpError(409, 'order_not_paid', 'This order has no tickets (not paid, or refunded), so it has no calendar entry.');
    const event = await selectEvent(db, order.eventId);
    if (event === null) throw orderNotFound();
    return {
      status: 200,
      body: orderCalendarFile(config.publicUrl, order, event, new Date()),
      headers: {
        'content-type': 'text/calendar; charset=utf-8',
        'content-disposition': `attachment; filename="tickr-${orderNumber(order.id)}.ics"`,
        'cache-control': 'private, no-store',
      },
    };
  });
}
