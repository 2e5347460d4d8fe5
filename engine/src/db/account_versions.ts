import type { AccountRole } from './accounts.ts';
import type { SqlExecutor } from '../jobs/queues.ts';
import type { Db } from './pool.ts';

/**
 * What a token is checked against on each request: the account's version,
 * the version its password was last set at, its role and name now. A deleted
 * or unknown account has no state.
 */
export type AccountState = { id: string; version: number; passwordVersion: number; role: AccountRole; name: string };

/** The live accounts among `ids` (which must be uuids); deleted and unknown ones are left out. */
export async function selectAccountStates(db: Db, ids: string[]): Promise<AccountState[]> {
  const { rows } = await db.query<AccountState>(
    `SELECT id, version, password_version AS "passwordVersion", role, name
       FROM accounts WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL`,
    [ids],
  );
  return rows;
}

/**
 * A new role, raising the account's version so tokens carry it from now on.
 * A new organizer gets its organizers row; a demoted one keeps it, since its
 * events keep their organizer. Null for an unknown or deleted account.
 */
export async function changeRole(db: Db, id: string, role: AccountRole): Promise<AccountState | null> {
  const { rows } = await db.query<AccountState>(
    `WITH a AS (
       UPDATE accounts SET role = $2, version = version + 1, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL
        RETURNING id, version, password_version AS "passwordVersion", role, name
     ), o AS (
       INSERT INTO organizers (account_id, display_name) SELECT id, name FROM a WHERE role = 'organizer'
       ON CONFLICT (account_id) DO NOTHING
     )
     SELECT * FROM a`,
    [id, role],
  );
  return rows[0] ?? null;
}

/** A new password hash; every token signed before it is void. Null for an unknown or deleted account. */
export async function changePassword(db: SqlExecutor, id: string, passwordHash: string): Promise<AccountState | null> {
  const { rows } = await db.query(
    `UPDATE accounts SET password_hash = $2, version = version + 1, password_version = version + 1, updated_at = now()
      WHERE id = $1 AND deleted_at IS NULL
      RETURNING id, version, password_version AS "passwordVersion", role, name`,
    [id, passwordHash],
  );
  return (rows[0] as AccountState | undefined) ?? null;
}

/**
 * Deletes an account and erases its personal data. The row stays (orders,
 * tickets and check-ins keep their buyer or staff member), but it can no
 * longer sign in or act: its email becomes a tombstone (`deleted-<id>@invalid`,
 * a reserved domain, so the address is freed for a new sign-up), its name,
 * phone, country, language and verification go, its password can match
 * nothing (an empty hash), and the version raise voids its tokens. Its unused
 * links go too. False when there was none to delete.
 */
export async function deleteAccount(db: SqlExecutor, id: string): Promise<boolean> {
  const { rows } = await db.query(
    `WITH a AS (
       UPDATE accounts SET deleted_at = now(), email = 'deleted-' || id::text || '@invalid', password_hash = '',
              name = 'Deleted account', phone = NULL, country = NULL, notify = 'email', locale = NULL, email_verified_at = NULL,
              version = version + 1, password_version = version + 1, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING id
     ), t AS (
       DELETE FROM action_tokens WHERE account_id IN (SELECT id FROM a)
     )
     SELECT id FROM a`,
    [id],
  );
  return rows.length === 1;
}

/** A live account's email and password hash, for checking its current password. */
export async function selectPasswordHash(db: Db, id: string): Promise<{ id: string; email: string; passwordHash: string } | null> {
  const { rows } = await db.query<{ id: string; email: string; passwordHash: string }>(
    'SELECT id, email, password_hash AS "passwordHash" FROM accounts WHERE id = $1 AND deleted_at IS NULL',
    [id],
  );
  return rows[0] ?? null;
}

/**
 * The accounts changed lately, for the nodes' caches of account states
 * (edge/src/auth/account_states.ts): every change of a role, password,
 * deletion or name sets `updated_at`. Read back `overlapMs` from `since` (the
 * database's clock at the last read), so a transaction that stamped its change
 * before that read and committed after it is still seen; the first read
 * (`since` null) looks back the overlap from now.
 */
export async function selectAccountChanges(db: Db, since: Date | null, overlapMs: number): Promise<{ dbNow: Date; changes: { id: string; updatedAt: Date }[] }> {
  // Times as epoch milliseconds (float8): a read after many sign-ups (a drop's
  // buyers) returns thousands of rows a second for the overlap, and parsing two
  // timestamptz texts per row cost the node's main thread more than its holds.
  const { rows } = await db.query<{ id: string | null; updatedAtMs: number | null; dbNowMs: number }>(
    `WITH t AS (SELECT now() AS db_now)
     SELECT a.id::text AS id, extract(epoch FROM a.updated_at)::float8 * 1000 AS "updatedAtMs", extract(epoch FROM t.db_now)::float8 * 1000 AS "dbNowMs"
       FROM t LEFT JOIN accounts a
         ON a.updated_at > coalesce($1::timestamptz, t.db_now) - make_interval(secs => $2::double precision / 1000)`,
    [since, overlapMs],
  );
  return {
    dbNow: new Date(Math.floor(rows[0]!.dbNowMs)),
    changes: rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, updatedAt: new Date(Math.floor(r.updatedAtMs!)) })),
  };
}
