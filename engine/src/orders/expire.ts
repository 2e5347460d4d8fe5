import type { Db } from '../db/pool.ts';
import type { Engine } from '../engine.ts';
import { EngineVerbs } from '../engine_verbs.ts';
import { inTransaction } from '../db/transaction.ts';
import { moveOrder, selectOrder, selectOrderLines, type OrderRow } from './orders_db.ts';
import { selectPaymentOfOrder } from './payments_db.ts';
import { releaseUnpaidRedemption } from './promo_codes_db.ts';

/** The hold is gone for good: lapsed, released, or unknown to its actor. */
export async function holdLapsed(engine: Engine, eventId: string, holdId: string): Promise<boolean> {
  const outcome = await new EngineVerbs(engine).getHold({ eventId, holdId });
  return outcome.ok ? outcome.hold.status === 'expired' || outcome.hold.status === 'released' : outcome.reason === 'hold_not_found';
}

/**
 * A pending order whose hold (or one of whose holds) is gone and whose payment never came is
 * `expired`, marked when someone looks at it (the order page polls while the
 * buyer pays). No sweeper is needed: nothing waits on the mark, and a payment
 * that still arrives moves it on (expired -> paid, the late-payment path).
 * Its promo code's use, if any, goes back with the mark (engine/src/orders/promo.ts).
 */
export async function expireIfLapsed(deps: { db: Db; engine: Engine }, order: OrderRow): Promise<OrderRow> {
  if (order.status !== 'pending') return order;
  // A basket lapses with the first of its holds: all or nothing.
  const lines = await selectOrderLines(deps.db, order.id);
  const lapsed = await Promise.all(lines.map((line) => holdLapsed(deps.engine, order.eventId, line.holdId)));
  if (!lapsed.includes(true)) return order;
  const payment = await selectPaymentOfOrder(deps.db, order.id);
  if (payment !== null && payment.status !== 'created') return order;
  await inTransaction(deps.db, async (tx) => {
    if (await moveOrder(tx, order.id, 'expired', { failure: 'hold_expired' })) await releaseUnpaidRedemption(tx, order.id);
  });
  return (await selectOrder(deps.db, order.id)) ?? order;
}
