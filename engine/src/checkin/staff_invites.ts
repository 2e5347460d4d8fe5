import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createActionToken } from '../db/action_tokens.ts';
import type { Db } from '../db/pool.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Jobs, SqlExecutor } from '../jobs/queues.ts';
import { scannerUrl, setPasswordUrl } from '../mail/links.ts';
import { queueEmail } from '../mail/outbox.ts';

/**
 * Staff invites (#11). The organizer names an email; Tickr records the invite
 * and writes to that address: "you were added" to an existing account (which
 * is assigned at once), a set-your-password link to a new one (assigned when
 * the link is used). The organizer's answer and list are the same either way,
 * so an organizer cannot learn which emails have accounts, and never chooses
 * anyone's password.
 */

/** What the organizer sees: an invite stays `invited` until the invitee acts (sets a password, or opens the scanner). */
export type StaffEntry = {
  /** The invite's id; for staff assigned before invites existed, the account id. Either removes the entry. */
  id: string;
  email: string;
  name: string | null;
  status: 'invited' | 'active';
  /** Null while invited: an account id would tell that the account exists. */
  accountId: string | null;
  invitedAt: string;
};

export type InviteInput = { eventId: string; eventName: string; email: string; name: string | null; locale: string };
export type InviteDeps = { db: Db; jobs: Jobs; publicUrl: string };

/** Roles that are never event staff: their accounts get no assignment and no email, and the organizer is not told. */
const notStaffRoles = new Set(['operator', 'admin']);

/** Records the invite and queues its email, in one transaction: the email exists only if the invite does. */
export async function inviteStaff(deps: InviteDeps, input: InviteInput): Promise<StaffEntry> {
  return inTransaction(deps.db, async (tx) => {
    const invite = await upsertInvite(tx, input.eventId, input.email, input.name);
    const account = (await tx.query('SELECT id, name, role FROM accounts WHERE lower(email) = lower($1)', [input.email])).rows[0] as
      { id: string; name: string; role: string } | undefined;
    // Every invite sends again (the first email may be lost): a key of its own.
    const key = `staff:${input.eventId}:${randomUUID()}`;
    if (account === undefined) {
      const token = await createActionToken(tx, { purpose: 'set_password', accountId: null, email: input.email });
      await queueEmail(tx, deps.jobs, {
        to: input.email, template: 'staff_invite', locale: input.locale, key,
        data: { eventName: input.eventName, link: setPasswordUrl(deps.publicUrl, token) },
      });
    } else if (!notStaffRoles.has(account.role)) {
      await tx.query('INSERT INTO event_staff (event_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [input.eventId, account.id]);
      await queueEmail(tx, deps.jobs, {
        to: input.email, template: 'staff_added', locale: input.locale, key,
        data: { name: account.name, eventName: input.eventName, scannerUrl: scannerUrl(deps.publicUrl) },
      });
    }
    return invite;
  });
}

type InviteRow = { id: string; email: string; name: string | null; created_at: Date };

/** A second invite of the same email to the same event refreshes the name and sends again; it stays one entry. */
async function upsertInvite(tx: pg.PoolClient, eventId: string, email: string, name: string | null): Promise<StaffEntry> {
  const row = (await tx.query(
    `INSERT INTO staff_invites (event_id, email, name) VALUES ($1, $2, $3)
     ON CONFLICT (event_id, lower(email)) DO UPDATE SET name = coalesce(excluded.name, staff_invites.name)
     RETURNING id, email, name, created_at`, [eventId, email, name])).rows[0] as InviteRow;
  // The answer says `invited` even when the invite was accepted before: its status is the list's business.
  return { id: row.id, email: row.email, name: row.name, status: 'invited', accountId: null, invitedAt: row.created_at.toISOString() };
}

/**
 * The event's staff as the organizer sees them: every invite (active once
 * accepted) and the staff assigned before invites existed.
 */
export async function selectStaffEntries(db: SqlExecutor, eventId: string): Promise<StaffEntry[]> {
  const { rows } = await db.query(
    `SELECT i.id, i.email, coalesce(a.name, i.name) AS name, a.id AS account_id, i.created_at
       FROM staff_invites i
       LEFT JOIN accounts a ON i.accepted_at IS NOT NULL AND lower(a.email) = lower(i.email)
      WHERE i.event_id = $1
     UNION ALL
     SELECT a.id, a.email, a.name, a.id, s.assigned_at
       FROM event_staff s JOIN accounts a ON a.id = s.account_id
      WHERE s.event_id = $1 AND NOT EXISTS (SELECT 1 FROM staff_invites i WHERE i.event_id = $1 AND lower(i.email) = lower(a.email))
     ORDER BY created_at`, [eventId]);
  return (rows as { id: string; email: string; name: string | null; account_id: string | null; created_at: Date }[]).map((r) => ({
    id: r.id, email: r.email, name: r.name, status: r.account_id === null ? 'invited' : 'active', accountId: r.account_id, invitedAt: r.created_at.toISOString(),
  }));
}

/** Removes an invite (by invite id) or an assignment (by account id), and the other half of it. False when neither exists. */
export async function removeStaff(db: SqlExecutor, eventId: string, id: string): Promise<boolean> {
  const { rows } = await db.query(
    `WITH target AS (
       SELECT lower(email) AS email FROM staff_invites WHERE event_id = $1 AND id = $2
       UNION SELECT lower(email) FROM accounts WHERE id = $2
     ), invites AS (
       DELETE FROM staff_invites WHERE event_id = $1 AND lower(email) IN (SELECT email FROM target) RETURNING 1
     ), assigned AS (
       DELETE FROM event_staff WHERE event_id = $1 AND account_id IN (SELECT id FROM accounts WHERE lower(email) IN (SELECT email FROM target)) RETURNING 1
     )
     SELECT (SELECT count(*) FROM invites) + (SELECT count(*) FROM assigned) AS n`, [eventId, id]);
  return Number((rows[0] as { n: number | string }).n) > 0;
}

/** The pending invites of an email, locked: the set-password link turns them into assignments. */
export async function lockPendingInvites(tx: SqlExecutor, email: string): Promise<{ id: string; eventId: string; name: string | null }[]> {
  const { rows } = await tx.query(
    `SELECT id, event_id AS "eventId", name FROM staff_invites WHERE lower(email) = lower($1) AND accepted_at IS NULL ORDER BY created_at FOR UPDATE`,
    [email]);
  return rows as { id: string; eventId: string; name: string | null }[];
}

/** Assigns the new account to the invites' events and marks them accepted. */
export async function acceptInvites(tx: SqlExecutor, accountId: string, inviteIds: string[]): Promise<void> {
  await tx.query(
    `WITH accepted AS (
       UPDATE staff_invites SET accepted_at = now() WHERE id = ANY($2::uuid[]) RETURNING event_id
     )
     INSERT INTO event_staff (event_id, account_id) SELECT event_id, $1 FROM accepted ON CONFLICT DO NOTHING`, [accountId, inviteIds]);
}

/** An existing account opened the scanner: its invites to events it is assigned to count as accepted. */
export async function acceptInvitesOnSight(db: SqlExecutor, accountId: string): Promise<void> {
  await db.query(
    `UPDATE staff_invites i SET accepted_at = now()
       FROM accounts a, event_staff s
      WHERE a.id = $1 AND lower(i.email) = lower(a.email) AND i.accepted_at IS NULL
        AND s.account_id = a.id AND s.event_id = i.event_id`, [accountId]);
}

/** An event as the scanner page lists it for its staff. */
export type StaffEvent = { id: string; name: string; venue: string; startsAt: Date; timeZone: string };

/** The events `accountId` is door staff of, soonest first: the scanner page's first call. */
export async function selectStaffEvents(db: Db, accountId: string): Promise<StaffEvent[]> {
  const { rows } = await db.query<StaffEvent>(
    `SELECT e.id, e.name, e.venue, e.starts_at AS "startsAt", e.time_zone AS "timeZone" FROM event_staff s JOIN events e ON e.id = s.event_id
      WHERE s.account_id = $1 ORDER BY e.starts_at`, [accountId]);
  return rows;
}
