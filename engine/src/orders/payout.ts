import type { Db } from '../db/pool.ts';
import { payout, payoutCsv, type PayoutReport } from '../money/fees.ts';
import { selectPayoutRows } from './orders_db.ts';

/**
 * What the organizer of an event is owed, by money/fees.ts's one rule: the
 * fee is computed per ticket (half up, integer minor units) at the event's
 * own fee rate, and a refunded ticket carries no fee.
 */
export async function eventPayout(db: Db, event: { id: string; currency: string; platformFeeBps: number }): Promise<PayoutReport> {
  const rows = await selectPayoutRows(db, event.id);
  const lines = rows.map((r) => ({ label: r.typeName, price: r.unitPrice, discountPerTicket: r.unitDiscount, quantity: r.quantity, refundedQuantity: r.refundedQuantity }));
  return payout(lines, event.currency, event.platformFeeBps);
}

export { payoutCsv };
