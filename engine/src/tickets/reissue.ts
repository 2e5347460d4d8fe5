import { ticketVersionMax } from '../constants.ts';
import type { SqlExecutor } from '../jobs/queues.ts';
import { eventSigningKey } from './event_keys.ts';
import { encodeTicketSecret } from './secret.ts';

export type ReissueOutcome =
  | { ok: true; ticketId: string; version: number; secret: string }
  | { ok: false; reason: 'not_found' | 'not_issued' | 'revoked' | 'used' | 'version_exhausted' };

/**
 * A new secret for a ticket (a screenshot leaked, a phone was lost): the
 * version goes up by one and only the new secret admits; the old one is
 * refused online at once and appears on the revocation list for offline
 * scanners. Only the ticket's buyer may ask: `buyerId` is checked here so a
 * caller cannot forget it.
 */
export async function reissueTicket(tx: SqlExecutor, ticketId: string, buyerId: string, serverKey: Buffer): Promise<ReissueOutcome> {
  const row = (await tx.query(
    'SELECT id, event_id, type_id, version, status, secret FROM tickets WHERE id = $1 AND buyer_id = $2 FOR UPDATE',
    [ticketId, buyerId])).rows[0] as { id: string; event_id: string; type_id: string; version: number; status: string; secret: string | null } | undefined;
  if (row === undefined) return { ok: false, reason: 'not_found' };
  if (row.secret === null) return { ok: false, reason: 'not_issued' };
  if (row.status === 'revoked') return { ok: false, reason: 'revoked' };
  if (row.status === 'used') return { ok: false, reason: 'used' };
  if (row.version >= ticketVersionMax) return { ok: false, reason: 'version_exhausted' };
  const version = row.version + 1;
  const key = await eventSigningKey(tx, row.event_id, serverKey);
  const secret = encodeTicketSecret({ ticketId: row.id, eventId: row.event_id, typeId: row.type_id, version }, key.privateKey);
  await tx.query('UPDATE tickets SET version = $2, secret = $3, secret_issued_at = now() WHERE id = $1', [row.id, version, secret]);
  return { ok: true, ticketId: row.id, version, secret };
}

export type Revocation = { ticketId: string; validVersion: number | null };

/**
 * What offline scanners refuse: every revoked ticket (`validVersion: null`,
 * no secret admits) and every reissued one (only `validVersion` admits).
 */
export async function selectRevocations(db: SqlExecutor, eventId: string): Promise<Revocation[]> {
  const { rows } = await db.query(
    `SELECT id, status, version FROM tickets WHERE event_id = $1 AND (status = 'revoked' OR version > 0) ORDER BY id`, [eventId]);
  return (rows as { id: string; status: string; version: number }[]).map((r) => ({ ticketId: r.id, validVersion: r.status === 'revoked' ? null : r.version }));
}
