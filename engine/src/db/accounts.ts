import type pg from 'pg';
import type { SqlExecutor } from '../jobs/queues.ts';
import type { Db } from './pool.ts';

export type AccountRole = 'participant' | 'organizer' | 'staff' | 'operator' | 'admin';
/** `emailVerified`: the account proved it reads its email (a verification or set-password link). */
export type Account = { id: string; email: string; name: string; role: AccountRole; emailVerified: boolean };
/** `version`: the account version (engine/src/db/account_versions.ts) that a token signed now carries. */
export type AccountWithHash = Account & { passwordHash: string; version: number };

const uniqueViolation = '23505';

/**
 * A new account, and its `organizers` row when it is an organizer (one
 * statement, so both or neither). Null when the email is taken.
 */
export async function insertAccount(
  db: Db | pg.PoolClient, a: { email: string; passwordHash: string; name: string; role: AccountRole; emailVerified?: boolean },
): Promise<Account | null> {
  try {
    const { rows } = await db.query<Account>(
      `WITH a AS (
         INSERT INTO accounts (email, password_hash, name, role, email_verified_at) VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)
         RETURNING id, email, name, role, email_verified_at IS NOT NULL AS "emailVerified"
       ), o AS (
         INSERT INTO organizers (account_id, display_name) SELECT id, name FROM a WHERE role = 'organizer'
       )
       SELECT id, email, name, role, "emailVerified" FROM a`,
      [a.email, a.passwordHash, a.name, a.role, a.emailVerified === true],
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
    `SELECT id, email, name, role, email_verified_at IS NOT NULL AS "emailVerified", password_hash AS "passwordHash", version
       FROM accounts WHERE lower(email) = lower($1) AND deleted_at IS NULL`,
    [email],
  );
  return rows[0] ?? null;
}

export async function selectAccount(db: Db, id: string): Promise<Account | null> {
  const { rows } = await db.query<Account>(`SELECT id, email, name, role, email_verified_at IS NOT NULL AS "emailVerified" FROM accounts WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * The configured operator: created, or its password, name and role brought
 * back in line with the configuration. A change voids its earlier tokens (the
 * version raise, engine/src/db/account_versions.ts): call it only when the
 * configured password no longer matches, as edge/src/node.ts does.
 */
export async function upsertOperator(db: Db, email: string, passwordHash: string, name: string): Promise<Account> {
  const { rows } = await db.query<Account>(
    `INSERT INTO accounts (email, password_hash, name, role) VALUES ($1, $2, $3, 'operator')
     ON CONFLICT ((lower(email))) DO UPDATE
       SET password_hash = EXCLUDED.password_hash, name = EXCLUDED.name, role = 'operator', updated_at = now(),
           version = accounts.version + 1, password_version = accounts.version + 1
     RETURNING id, email, name, role, email_verified_at IS NOT NULL AS "emailVerified"`,
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
