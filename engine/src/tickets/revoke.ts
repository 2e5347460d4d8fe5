import type { SqlExecutor } from '../jobs/queues.ts';

/**
 * Revokes every ticket of an order (refund): its secrets stop admitting online
 * at once, and they appear on the event's revocation list, which offline
 * scanners download. Idempotent: a ticket already revoked is left as it was.
 * Tickets are found by order id, or by the order's hold when the flush that
 * created them has not been linked to the order yet.
 *
 * Returns how many tickets this call revoked.
 */
/** The tickets of order $1: by order id, or by the order's hold when the flush that created them has not been linked yet. */
const ticketsOfOrder = `(order_id = $1 OR hold_id IN (SELECT hold_id FROM orders WHERE id = $1
                                          UNION ALL SELECT ticketed_hold_id FROM orders WHERE id = $1 AND ticketed_hold_id IS NOT NULL))`;

export async function revokeOrderTickets(tx: SqlExecutor, orderId: string, reason = 'refunded'): Promise<number> {
  const { rows } = await tx.query(
    `UPDATE tickets SET status = 'revoked', revoked_at = now(), revoked_reason = $2
      WHERE status <> 'revoked' AND ${ticketsOfOrder}
      RETURNING id`,
    [orderId, reason],
  );
  return rows.length;
}

/**
 * How many tickets of an order entered at the door. `used_at` stays set when a
 * used ticket is revoked, and a revoked ticket can no longer be checked in, so
 * once an order's tickets are revoked this number never changes.
 */
export async function countUsedTicketsOfOrder(db: SqlExecutor, orderId: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM tickets WHERE used_at IS NOT NULL AND ${ticketsOfOrder}`, [orderId]);
  return (rows[0] as { n: number }).n;
}
