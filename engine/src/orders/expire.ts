import type { Db } from '../db/pool.ts';
import type { Engine } from '../engine.ts';
import { moveOrder, selectOrder, selectOrderLines, type OrderRow } from './orders_db.ts';
import { selectPaymentOfOrder } from './payments_db.ts';

/**
 * A pending order whose hold (or one of whose holds) is gone and whose payment never came is
 * `expired`, marked when someone looks at it (the order page polls while the
 * buyer pays). No sweeper is needed: nothing waits on the mark, and a payment
 * that still arrives moves it on (expired -> paid, the late-payment path).
 */
export async function expireIfLapsed(deps: { db: Db; engine: Engine }, order: OrderRow): Promise<OrderRow> {
  if (order.status !== 'pending') return order;
  // A basket lapses with the first of its holds: all or nothing.
  const lines = await selectOrderLines(deps.db, order.id);
  const lapsed = await Promise.all(lines.map(async (line) => {
    const outcome = await deps.engine.send({ kind: 'getHold', eventId: order.eventId, holdId: line.holdId });
    return outcome.ok ? outcome.kind === 'hold' && (outcome.hold.status === 'expired' || outcome.hold.status === 'released') : outcome.reason === 'hold_not_found';
  }));
  if (!lapsed.includes(true)) return order;
  const payment = await selectPaymentOfOrder(deps.db, order.id);
  if (payment !== null && payment.status !== 'created') return order;
  await moveOrder(deps.db, order.id, 'expired', { failure: 'hold_expired' });
  return (await selectOrder(deps.db, order.id)) ?? order;
}
