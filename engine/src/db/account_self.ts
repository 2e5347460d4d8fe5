import type { SqlExecutor } from '../jobs/queues.ts';
import type { Account } from './accounts.ts';

/**
 * What an account does to itself (#15): its name and language, a new email
 * proven by a link, the checks before it deletes itself, and the export of
 * its data. Password and deletion live in account_versions.ts, since they
 * void tokens.
 */

const accountColumns = `id, email, name, role, email_verified_at IS NOT NULL AS "emailVerified", phone, country, notify, locale`;
const uniqueViolation = '23505';

/** Name and language, each changed only when given. Null when the account is gone. */
export async function updateProfile(db: SqlExecutor, id: string, change: { name?: string; locale?: Account['locale'] }): Promise<Account | null> {
  const { rows } = await db.query(
    `UPDATE accounts SET name = coalesce($2, name), locale = CASE WHEN $3 THEN $4 ELSE locale END, updated_at = now()
      WHERE id = $1 AND deleted_at IS NULL RETURNING ${accountColumns}`,
    [id, change.name ?? null, 'locale' in change, change.locale ?? null]);
  return (rows[0] as Account | undefined) ?? null;
}

/**
 * The new email, verified (the link proved it), with the email it replaces.
 * 'taken' when another account has it now; null when the account is gone.
 */
export async function changeEmail(db: SqlExecutor, id: string, newEmail: string): Promise<{ account: Account; oldEmail: string } | 'taken' | null> {
  // Two statements: run it inside the transaction that consumes the link, so the lock holds the old email until the change commits.
  const before = await db.query('SELECT email FROM accounts WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [id]);
  const oldEmail = (before.rows[0] as { email: string } | undefined)?.email;
  if (oldEmail === undefined) return null;
  try {
    const { rows } = await db.query(
      `UPDATE accounts SET email = $2, email_verified_at = now(), updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING ${accountColumns}`,
      [id, newEmail]);
    const account = rows[0] as Account | undefined;
    return account === undefined ? null : { account, oldEmail };
  } catch (error) {
    if ((error as { code?: string }).code === uniqueViolation) return 'taken';
    throw error;
  }
}

/** Whether an account (other than `exceptId`) uses this email. */
export async function emailInUse(db: SqlExecutor, email: string, exceptId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM accounts WHERE lower(email) = lower($1) AND id <> $2', [email, exceptId]);
  return rows.length > 0;
}

/** The number of events the account organizes: an organizer with events cannot delete itself (the events need their organizer). */
export async function countOrganizedEvents(db: SqlExecutor, id: string): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM events WHERE organizer_id = $1', [id]);
  return (rows[0] as { n: number }).n;
}

export type AccountExport = {
  account: Account & { createdAt: string; updatedAt: string; emailVerifiedAt: string | null };
  orders: {
    id: string; eventId: string; eventName: string; eventStartsAt: string; holdId: string; status: string; provider: string; locale: string;
    items: { typeId: string; typeName: string; quantity: number; unitPrice: number }[];
    amount: number; currency: string; createdAt: string; paidAt: string | null; ticketedAt: string | null; refundedAt: string | null;
  }[];
  tickets: {
    id: string; orderHoldId: string; eventId: string; eventName: string; typeId: string; typeName: string; holderName: string | null;
    price: number; currency: string; status: string; issuedAt: string; checkedInAt: string | null; revokedAt: string | null;
  }[];
  /** The holds behind the orders (a hold not turned into an order lives minutes and is not kept). */
  holds: { holdId: string; orderId: string; ticketedHoldId: string | null; lateHoldId: string | null }[];
};

/** Everything Tickr keeps about the account, without secrets (no password hash, no ticket secrets, no payment references). */
export async function selectAccountExport(db: SqlExecutor, id: string): Promise<AccountExport | null> {
  const acc = await db.query(
    `SELECT ${accountColumns}, created_at AS "createdAt", updated_at AS "updatedAt", email_verified_at AS "emailVerifiedAt"
       FROM accounts WHERE id = $1 AND deleted_at IS NULL`, [id]);
  const account = acc.rows[0] as AccountExport['account'] | undefined;
  if (account === undefined) return null;
  const orders = await db.query(
    `SELECT o.id, o.event_id AS "eventId", e.name AS "eventName", e.starts_at AS "eventStartsAt", o.hold_id AS "holdId", o.status, o.provider,
            o.locale, (SELECT json_agg(json_build_object('typeId', l.type_id, 'typeName', lt.name, 'quantity', l.quantity, 'unitPrice', l.unit_price) ORDER BY l.line)
                         FROM order_lines l JOIN ticket_types lt ON lt.id = l.type_id WHERE l.order_id = o.id) AS items,
            o.amount::float8 AS amount, o.currency, o.created_at AS "createdAt", o.paid_at AS "paidAt", o.ticketed_at AS "ticketedAt",
            o.refunded_at AS "refundedAt", o.ticketed_hold_id AS "ticketedHoldId", o.late_hold_id AS "lateHoldId"
       FROM orders o JOIN events e ON e.id = o.event_id
      WHERE o.buyer_id = $1 ORDER BY o.created_at`, [id]);
  const tickets = await db.query(
    `SELECT k.id, k.hold_id AS "orderHoldId", k.event_id AS "eventId", e.name AS "eventName", k.type_id AS "typeId", t.name AS "typeName",
            k.holder_name AS "holderName", k.price::float8 AS price, k.currency, k.status, k.issued_at AS "issuedAt",
            k.used_at AS "checkedInAt", k.revoked_at AS "revokedAt"
       FROM tickets k JOIN events e ON e.id = k.event_id JOIN ticket_types t ON t.id = k.type_id
      WHERE k.buyer_id = $1 ORDER BY k.issued_at, k.id`, [id]);
  type OrderRow = AccountExport['orders'][number] & { ticketedHoldId: string | null; lateHoldId: string | null };
  const orderRows = orders.rows as OrderRow[];
  return {
    account,
    orders: orderRows.map(({ ticketedHoldId: _t, lateHoldId: _l, ...o }) => o),
    tickets: tickets.rows as AccountExport['tickets'],
    holds: orderRows.map((o) => ({ holdId: o.holdId, orderId: o.id, ticketedHoldId: o.ticketedHoldId, lateHoldId: o.lateHoldId })),
  };
}
