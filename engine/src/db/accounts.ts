import type { Db } from './pool.ts';

export type AccountRole = 'participant' | 'organizer' | 'staff' | 'operator' | 'admin';
export type Account = { id: string; email: string; name: string; role: AccountRole };
/** `version`: the account version (engine/src/db/account_versions.ts) that a token signed now carries. */
export type AccountWithHash = Account & { passwordHash: string; version: number };

const uniqueViolation = '23505';

/**
 * A new account, and its `organizers` row when it is an organizer (one
 * statement, so both or neither). Null when the email is taken.
 */
export async function insertAccount(db: Db, a: { email: string; passwordHash: string; name: string; role: AccountRole }): Promise<Account | null> {
  try {
    const { rows } = await db.query<Account>(
      `WITH a AS (
         INSERT INTO accounts (email, password_hash, name, role) VALUES ($1, $2, $3, $4)
         RETURNING id, email, name, role
       ), o AS (
         INSERT INTO organizers (account_id, display_name) SELECT id, name FROM a WHERE role = 'organizer'
       )
       SELECT id, email, name, role FROM a`,
      [a.email, a.passwordHash, a.name, a.role],
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
    'SELECT id, email, name, role, password_hash AS "passwordHash", version FROM accounts WHERE lower(email) = lower($1) AND deleted_at IS NULL',
    [email],
  );
  return rows[0] ?? null;
}

export async function selectAccount(db: Db, id: string): Promise<Account | null> {
  const { rows } = await db.query<Account>('SELECT id, email, name, role FROM accounts WHERE id = $1', [id]);
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
     RETURNING id, email, name, role`,
    [email, passwordHash, name],
  );
  return rows[0]!;
}
