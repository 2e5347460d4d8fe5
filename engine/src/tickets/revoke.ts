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
export async function revokeOrderTickets(tx: SqlExecutor, orderId: string, reason = 'refunded'): Promise<number> {
  const { rows } = await tx.query(
    `UPDATE tickets SET status = 'revoked', revoked_at = now(), revoked_reason = $2
      WHERE status <> 'revoked'
        AND (order_id = $1 OR hold_id IN (SELECT hold_id FROM orders WHERE id = $1
                                          UNION ALL SELECT ticketed_hold_id FROM orders WHERE id = $1 AND ticketed_hold_id IS NOT NULL))
      RETURNING id`,
    [orderId, reason],
  );
  return rows.length;
}
