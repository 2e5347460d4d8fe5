import { promoReleaseScanMax } from '../constants.ts';
import type { Db } from '../db/pool.ts';
import type { Engine } from '../engine.ts';
import type { Discount } from '../money/pricing.ts';
import { OrderError } from './errors.ts';
import { holdLapsed } from './expire.ts';
import { moveOrder } from './orders_db.ts';
import {
  claimAgain, discountOf, releaseUnpaidRedemption, selectCapForUpdate, selectPromoCodeForClaim, selectRedemptionForUpdate, selectUnpaidClaims,
  type PromoCodeRow,
} from './promo_codes_db.ts';
import type { Tx } from './tx.ts';

/**
 * A promo code at checkout, and its cap on uses.
 *
 * - A checkout with a code claims one use of it in the transaction that
 *   inserts the order, with the code's row locked (FOR UPDATE): claims of one
 *   code queue on that row, so parallel checkouts never count the same free
 *   use twice and the cap holds.
 * - A use counts from the checkout on. It is released when the order's hold
 *   lapsed (or was released) before any payment succeeded: the order page
 *   marks such an order expired, and a checkout that finds the code used up
 *   first looks at the code's unpaid orders and releases the ones whose hold
 *   is gone, then counts again.
 * - A payment that still arrives for an order whose use was released claims
 *   it again within the cap (payment-confirmed); with the cap reached, the
 *   payment is refunded like a late payment that finds no stock.
 * - A refund after a sale keeps the use: the code was spent.
 */

export type AppliedPromo = { row: PromoCodeRow; discount: Discount };

/** Why a code cannot be used now, or null when it can. Pure: the clock is an argument. */
export function promoRefusal(row: PromoCodeRow | null, typeId: string, now: number): OrderError | null {
  if (row === null || row.disabledAt !== null) return new OrderError(422, 'promo_invalid', 'This promo code is not valid for this event; check its spelling.');
  if (row.startsAt !== null && now < row.startsAt.getTime()) return new OrderError(422, 'promo_not_started', `This promo code can be used from ${row.startsAt.toISOString()}.`);
  if (row.endsAt !== null && now >= row.endsAt.getTime()) return new OrderError(422, 'promo_expired', 'This promo code has expired.');
  if (row.typeId !== null && row.typeId !== typeId) return new OrderError(422, 'promo_not_for_type', 'This promo code is not valid for this ticket type.');
  if (row.maxUses !== null && row.uses >= row.maxUses) return new OrderError(409, 'promo_used_up', 'This promo code has been used as many times as it may be.');
  return null;
}

/**
 * Locks the code and checks it against the order's ticket types (a basket has
 * several: a code for one type needs a line of that type, and discounts those
 * lines only, see `discountsType`); the caller inserts the order and its
 * redemption in the same transaction.
 */
export async function claimPromo(tx: Tx, input: { eventId: string; code: string; typeIds: readonly string[]; now: number }): Promise<AppliedPromo> {
  const row = await selectPromoCodeForClaim(tx, input.eventId, input.code);
  const refusal = promoRefusal(row, typeToCheck(row, input.typeIds), input.now);
  if (refusal !== null) throw refusal;
  return { row: row!, discount: discountOf(row!) };
}

/** The type a code is checked against: its own when the order has a line of it, else the first line's. */
export function typeToCheck(row: PromoCodeRow | null, typeIds: readonly string[]): string {
  if (row?.typeId != null && typeIds.includes(row.typeId)) return row.typeId;
  return typeIds[0]!;
}

/** Whether a code takes its discount off a line of `typeId`: a code for one type discounts that type's lines only. */
export function discountsType(row: Pick<PromoCodeRow, 'typeId'>, typeId: string): boolean {
  return row.typeId === null || row.typeId === typeId;
}

/**
 * The code's uses held by orders whose hold has lapsed with no payment: given
 * back (a pending order is marked expired as the order page would). Bounded:
 * at most promoReleaseScanMax orders are looked at per call. Answers how many
 * uses went back.
 */
export async function releaseLapsedClaims(deps: { db: Db; engine: Engine }, promoCodeId: string): Promise<number> {
  const claims = await selectUnpaidClaims(deps.db, promoCodeId, promoReleaseScanMax);
  let released = 0;
  for (const claim of claims) {
    if (claim.status !== 'expired' && !(await holdLapsed(deps.engine, claim.eventId, claim.holdId))) continue;
    if (claim.status === 'pending') await moveOrderExpired(deps.db, claim.orderId);
    if (await releaseUnpaidRedemption(deps.db, claim.orderId)) released += 1;
  }
  return released;
}

async function moveOrderExpired(db: Db, orderId: string): Promise<void> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM payments WHERE order_id = $1 AND status <> 'created'", [orderId]);
  if (rows[0]!.n === 0) await moveOrder(db, orderId, 'expired', { failure: 'hold_expired' });
}

/**
 * payment-confirmed, for an order with a code: true when the order still
 * holds its use (claimed again now if it had been released), false when the
 * cap was reached meanwhile (the payment is then refunded). Runs in its own
 * short transaction on the client that holds the order's lock; the use is
 * read FOR UPDATE, so a release racing with the payment is either seen here
 * or finds the payment succeeded and does nothing.
 */
export async function keepsPromoUse(client: Tx, orderId: string): Promise<boolean> {
  await client.query('BEGIN');
  try {
    const use = await selectRedemptionForUpdate(client, orderId);
    let kept = true;
    if (use !== null && use.released) {
      const cap = await selectCapForUpdate(client, use.promoCodeId);
      kept = cap.maxUses === null || cap.uses < cap.maxUses;
      if (kept) await claimAgain(client, orderId);
    }
    await client.query('COMMIT');
    return kept;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
