import type { Db } from '../db/pool.ts';
import type { Discount } from '../money/pricing.ts';
import type { Tx } from './tx.ts';

/** Small named queries on `promo_codes` and `promo_redemptions` (migration 0019), one statement each. */

type Executor = Db | Tx;

export type PromoCodeRow = {
  id: string;
  eventId: string;
  code: string;
  percentOff: number | null;
  amountOff: number | null;
  typeId: string | null;
  maxUses: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  /** Uses that count against the cap now (not released). */
  uses: number;
};

export type NewPromoCode = Pick<PromoCodeRow, 'code' | 'percentOff' | 'amountOff' | 'typeId' | 'maxUses' | 'startsAt' | 'endsAt'>;

const columns = `c.id, c.event_id AS "eventId", c.code, c.percent_off AS "percentOff", c.amount_off AS "amountOff", c.type_id AS "typeId",
  c.max_uses AS "maxUses", c.starts_at AS "startsAt", c.ends_at AS "endsAt", c.disabled_at AS "disabledAt", c.created_at AS "createdAt",
  (SELECT count(*)::int FROM promo_redemptions r WHERE r.promo_code_id = c.id AND r.released_at IS NULL) AS uses`;

/** Codes are compared in capitals: `spring25` and `SPRING25` are one code. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

export function discountOf(row: Pick<PromoCodeRow, 'percentOff' | 'amountOff'>): Discount {
  return row.percentOff !== null ? { kind: 'percent', percent: row.percentOff } : { kind: 'amount', amountOff: row.amountOff! };
}

/** The new code, or null when the event has that code already. */
export async function insertPromoCode(db: Executor, eventId: string, c: NewPromoCode): Promise<PromoCodeRow | null> {
  const { rows } = await db.query<PromoCodeRow>(
    `WITH c AS (
       INSERT INTO promo_codes (event_id, code, percent_off, amount_off, type_id, max_uses, starts_at, ends_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, code) DO NOTHING RETURNING *
     ) SELECT ${columns} FROM c`,
    [eventId, normalizeCode(c.code), c.percentOff, c.amountOff, c.typeId, c.maxUses, c.startsAt, c.endsAt],
  );
  return rows[0] ?? null;
}

export async function selectPromoCodes(db: Executor, eventId: string, limit: number): Promise<PromoCodeRow[]> {
  const { rows } = await db.query<PromoCodeRow>(`SELECT ${columns} FROM promo_codes c WHERE c.event_id = $1 ORDER BY c.created_at, c.code LIMIT $2`, [eventId, limit]);
  return rows;
}

export async function countPromoCodes(db: Executor, eventId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM promo_codes WHERE event_id = $1', [eventId]);
  return rows[0]!.n;
}

/**
 * FOR UPDATE: every claim of one code queues on its row, so the count of uses
 * it reads cannot change under it (the cap). Two statements: the lock first,
 * then the count, because a statement that waited for the lock still counts
 * from the snapshot it started with (READ COMMITTED) and would miss the uses
 * the claims before it committed.
 */
export async function selectPromoCodeForClaim(tx: Tx, eventId: string, code: string): Promise<PromoCodeRow | null> {
  const locked = await tx.query<{ id: string }>('SELECT id FROM promo_codes WHERE event_id = $1 AND code = $2 FOR UPDATE', [eventId, normalizeCode(code)]);
  if (locked.rows[0] === undefined) return null;
  const { rows } = await tx.query<PromoCodeRow>(`SELECT ${columns} FROM promo_codes c WHERE c.id = $1`, [locked.rows[0].id]);
  return rows[0]!;
}

export async function selectPromoCode(db: Executor, eventId: string, code: string): Promise<PromoCodeRow | null> {
  const { rows } = await db.query<PromoCodeRow>(`SELECT ${columns} FROM promo_codes c WHERE c.event_id = $1 AND c.code = $2`, [eventId, normalizeCode(code)]);
  return rows[0] ?? null;
}

/** Disabling is for good and keeps the code's uses; disabling twice keeps the first time. */
export async function disablePromoCode(db: Executor, eventId: string, code: string): Promise<PromoCodeRow | null> {
  const { rows } = await db.query<PromoCodeRow>(
    `WITH c AS (
       UPDATE promo_codes SET disabled_at = coalesce(disabled_at, now()) WHERE event_id = $1 AND code = $2 RETURNING *
     ) SELECT ${columns} FROM c`,
    [eventId, normalizeCode(code)],
  );
  return rows[0] ?? null;
}

export async function insertRedemption(tx: Tx, orderId: string, promoCodeId: string): Promise<void> {
  await tx.query('INSERT INTO promo_redemptions (order_id, promo_code_id) VALUES ($1, $2)', [orderId, promoCodeId]);
}

/** Orders whose use of the code still counts while no payment came: the ones whose hold may have lapsed. */
export async function selectUnpaidClaims(db: Executor, promoCodeId: string, limit: number): Promise<{ orderId: string; eventId: string; holdId: string; status: string }[]> {
  const { rows } = await db.query<{ orderId: string; eventId: string; holdId: string; status: string }>(
    `SELECT o.id AS "orderId", o.event_id AS "eventId", o.hold_id AS "holdId", o.status
     FROM promo_redemptions r JOIN orders o ON o.id = r.order_id
     WHERE r.promo_code_id = $1 AND r.released_at IS NULL AND o.status IN ('pending', 'failed', 'expired')
     ORDER BY r.claimed_at LIMIT $2`,
    [promoCodeId, limit],
  );
  return rows;
}

/**
 * Gives the order's use back, only while no payment of the order succeeded:
 * a payment that wins the race finds its use released and claims it again
 * (or is refunded) in payment-confirmed, which reads the use FOR UPDATE.
 */
export async function releaseUnpaidRedemption(db: Executor, orderId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE promo_redemptions r SET released_at = now()
     FROM orders o
     WHERE r.order_id = $1 AND o.id = r.order_id AND r.released_at IS NULL AND o.status IN ('pending', 'failed', 'expired')
       AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded')`,
    [orderId],
  );
  return rowCount === 1;
}

/** A late payment that could not become tickets is refunded: its order sold nothing, so its use goes back. */
export async function releaseRedemption(db: Executor, orderId: string): Promise<void> {
  await db.query('UPDATE promo_redemptions SET released_at = coalesce(released_at, now()) WHERE order_id = $1', [orderId]);
}

export async function selectRedemptionForUpdate(tx: Tx, orderId: string): Promise<{ promoCodeId: string; released: boolean } | null> {
  const { rows } = await tx.query<{ promoCodeId: string; released: boolean }>(
    'SELECT promo_code_id AS "promoCodeId", released_at IS NOT NULL AS released FROM promo_redemptions WHERE order_id = $1 FOR UPDATE',
    [orderId],
  );
  return rows[0] ?? null;
}

export async function claimAgain(tx: Tx, orderId: string): Promise<void> {
  await tx.query('UPDATE promo_redemptions SET released_at = NULL, claimed_at = now() WHERE order_id = $1', [orderId]);
}

/** The code's row locked, then its live uses counted after the lock (as in selectPromoCodeForClaim), for a claim made again by a late payment. */
export async function selectCapForUpdate(tx: Tx, promoCodeId: string): Promise<{ maxUses: number | null; uses: number }> {
  const locked = await tx.query<{ maxUses: number | null }>('SELECT max_uses AS "maxUses" FROM promo_codes WHERE id = $1 FOR UPDATE', [promoCodeId]);
  const { rows } = await tx.query<{ uses: number }>('SELECT count(*)::int AS uses FROM promo_redemptions WHERE promo_code_id = $1 AND released_at IS NULL', [promoCodeId]);
  return { maxUses: locked.rows[0]!.maxUses, uses: rows[0]!.uses };
}
