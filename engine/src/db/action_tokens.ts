import { createHash, randomBytes } from 'node:crypto';
import { changeEmailTokenTtlMs, resetPasswordTokenTtlMs, setPasswordTokenTtlMs, verifyEmailTokenTtlMs } from '../constants.ts';
import type { SqlExecutor } from '../jobs/queues.ts';

/**
 * Single-use, short-lived tokens for links sent by email (#11). The link
 * carries 32 random bytes; the table keeps only their SHA-256, so reading the
 * table opens nothing. A token is scoped to one purpose: a verification link
 * cannot set a password.
 */

/** reset_password: `email` is the account's email then; change_email: `email` is the new address the link proves. */
export type ActionPurpose = 'verify_email' | 'set_password' | 'reset_password' | 'change_email';

const ttlMs: Record<ActionPurpose, number> = {
  verify_email: verifyEmailTokenTtlMs, set_password: setPasswordTokenTtlMs, reset_password: resetPasswordTokenTtlMs, change_email: changeEmailTokenTtlMs,
};

/** A token as the link carries it: 43 base64url characters. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

export type ActionToken = { purpose: ActionPurpose; accountId: string | null; email: string };

/** Why a token does not open: unknown (or malformed, or of another purpose), expired, or used already. */
export type TokenRefusal = 'token_invalid' | 'token_expired' | 'token_used';

function hashOf(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Makes a token for `purpose`, stores its hash, and returns the token itself (to put in the link, never stored). */
export async function createActionToken(db: SqlExecutor, t: ActionToken, now: number = Date.now()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    'INSERT INTO action_tokens (token_hash, purpose, account_id, email, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [hashOf(token), t.purpose, t.accountId, t.email, new Date(now + ttlMs[t.purpose])],
  );
  return token;
}

/**
 * Uses the token once: one conditional UPDATE, so two uses at the same time
 * open it once. Run inside the transaction of what the token allows, so a
 * failure there leaves the token unused.
 */
export async function consumeActionToken(db: SqlExecutor, token: string, purpose: ActionPurpose, now: number = Date.now()): Promise<ActionToken | TokenRefusal> {
  if (!tokenShape.test(token)) return 'token_invalid';
  const hash = hashOf(token);
  const used = await db.query(
    `UPDATE action_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
     RETURNING account_id AS "accountId", email`,
    [hash, purpose, new Date(now)],
  );
  const row = used.rows[0] as { accountId: string | null; email: string } | undefined;
  if (row !== undefined) return { purpose, accountId: row.accountId, email: row.email };
  // Refused: say why, for a link that is merely old or clicked twice.
  const seen = await db.query('SELECT used_at IS NOT NULL AS used FROM action_tokens WHERE token_hash = $1 AND purpose = $2', [hash, purpose]);
  const why = seen.rows[0] as { used: boolean } | undefined;
  if (why === undefined) return 'token_invalid';
  return why.used ? 'token_used' : 'token_expired';
}


/** Voids the unused tokens of `purpose` for an account (a newer link, or a password set otherwise, makes older ones useless). */
export async function voidActionTokens(db: SqlExecutor, accountId: string, purposes: ActionPurpose[], now: number = Date.now()): Promise<void> {
  await db.query('UPDATE action_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = ANY($2) AND used_at IS NULL', [accountId, purposes, new Date(now)]);
}
