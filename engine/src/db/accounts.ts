import type pg from 'pg';
import type { SqlExecutor } from '../jobs/queues.ts';
import type { NotifyChoice } from '../sms/notify.ts';
import type { Db } from './pool.ts';

export type AccountRole = 'participant' | 'organizer' | 'staff' | 'operator' | 'admin';
/**
 * `emailVerified`: the account proved it reads its email (a verification or set-password link).
 * `phone`: E.164 or null; `country`: ISO 3166-1 alpha-2 or null (national phone numbers are read in it, TN when null);
 * `notify`: how order notices reach the buyer (engine/src/sms/notify.ts).
 */
export type Account = {
  id: string; email: string; name: string; role: AccountRole; emailVerified: boolean;
  phone: string | null; country: string | null; notify: NotifyChoice;
  /** The language of its emails and SMS; null: the language of the request that causes one. */
  locale: 'en' | 'fr' | 'ar' | null;
};

/** The columns of an Account, named as its fields. */
const accountColumns = `id, email, name, role, email_verified_at IS NOT NULL AS "emailVerified", phone, country, notify, locale`;
/** `version`: the account version (engine/src/db/account_versions.ts) that a token signed now carries. */
export type AccountWithHash = Account & { passwordHash: string; version: number };

const uniqueViolation = '23505';

/**
 * A new account, and its `organizers` row when it is an organizer (one
 * statement, so both or neither). Null when the email is taken.
 */
export async function insertAccount(
  db: Db | pg.PoolClient,
  a: { email: string; passwordHash: string; name: string; role: AccountRole; emailVerified?: boolean; phone?: string | null; country?: string | null; notify?: NotifyChoice },
): Promise<Account | null> {
  try {
    const { rows } = await db.query<Account>(
      `WITH a AS (
         INSERT INTO accounts (email, password_hash, name, role, email_verified_at, phone, country, notify)
         VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6, $7, $8)
         RETURNING ${accountColumns}
       ), o AS (
         INSERT INTO organizers (account_id, display_name) SELECT id, name FROM a WHERE role = 'organizer'
       )
       SELECT * FROM a`,
      [a.email, a.passwordHash, a.name, a.role, a.emailVerified === true, a.phone ?? null, a.country ?? null, a.notify ?? 'email'],
    );
    return rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === uniqueViolation) return null;
    throw error;
  }
}

/** Emails match case-insensitively, as the unique index does. */
export async function selectAccountByEmail(db: Db, email: string): Promise<AccountWithHash | null> {
  const { rows } = await db.query<AccountWithHash>(
    `SELECT ${accountColumns}, password_hash AS "passwordHash", version
       FROM accounts WHERE lower(email) = lower($1) AND deleted_at IS NULL`,
    [email],
  );
  return rows[0] ?? null;
}

export async function selectAccount(db: Db, id: string): Promise<Account | null> {
  const { rows } = await db.query<Account>(`SELECT ${accountColumns} FROM accounts WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * The configured operator: created, or its password, name and role brought
 * back in line with the configuration. A change voids its earlier tokens (the
 * version raise, engine/src/db/account_versions.ts): call it only when the
 * configured password no longer matches, as node/src/node.ts does.
 */
export async function upsertOperator(db: Db, email: string, passwordHash: string, name: string): Promise<Account> {
  const { rows } = await db.query<Account>(
    `INSERT INTO accounts (email, password_hash, name, role) VALUES ($1, $2, $3, 'operator')
     ON CONFLICT ((lower(email))) DO UPDATE
       SET password_hash = EXCLUDED.password_hash, name = EXCLUDED.name, role = 'operator', updated_at = now(),
           version = accounts.version + 1, password_version = accounts.version + 1
     RETURNING ${accountColumns}`,
    [email, passwordHash, name],
  );
  return rows[0]!;
}

/** Marks the email verified, if the account still has the email the link was sent to. False otherwise. */
export async function markEmailVerified(db: SqlExecutor, accountId: string, email: string): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE accounts SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
      WHERE id = $1 AND lower(email) = lower($2) RETURNING id`, [accountId, email]);
  return rows.length === 1;
}

/** Whether the account's email is verified: what a drop with `holdRequires: verified_email` asks. */
export async function isEmailVerified(db: SqlExecutor, accountId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM accounts WHERE id = $1 AND email_verified_at IS NOT NULL', [accountId]);
  return rows.length === 1;
}

/** Phone, country and notice choice, each changed only when given. Null when the account is gone. The database refuses SMS without a phone (23514). */
export async function updateContact(
  db: SqlExecutor, id: string, change: { phone?: string | null; country?: string | null; notify?: NotifyChoice },
): Promise<Account | null> {
  const { rows } = await db.query(
    `UPDATE accounts SET
        phone = CASE WHEN $2 THEN $3 ELSE phone END,
        country = CASE WHEN $4 THEN $5 ELSE country END,
        notify = coalesce($6, notify),
        updated_at = now()
      WHERE id = $1 AND deleted_at IS NULL RETURNING ${accountColumns}`,
    [id, 'phone' in change, change.phone ?? null, 'country' in change, change.country ?? null, change.notify ?? null]);
  return (rows[0] as Account | undefined) ?? null;
}
