import type { Tx } from '../orders/tx.ts';
import type { Db } from '../db/pool.ts';

export type HolderRefusal = 'not_found' | 'revoked' | 'used' | 'started';

/**
 * The buyer names who holds one of their tickets: the name is shown on the
 * pass and to door staff (scanner answer, lookup). It is not part of the
 * signed secret, so the pass stays the same. Allowed while the ticket is valid
 * and the event has not started; someone else's ticket is "not found".
 */
export async function setHolderName(db: Db | Tx, ticketId: string, buyerId: string, name: string): Promise<{ ok: true } | { ok: false; reason: HolderRefusal }> {
  const { rows } = await db.query<{ status: string; started: boolean }>(
    `UPDATE tickets t SET holder_name = CASE WHEN t.status = 'valid' AND e.starts_at > now() THEN $3 ELSE t.holder_name END
       FROM events e WHERE t.id = $1 AND t.buyer_id = $2 AND e.id = t.event_id
     RETURNING t.status, e.starts_at <= now() AS started`,
    [ticketId, buyerId, name],
  );
  const row = rows[0];
  if (row === undefined) return { ok: false, reason: 'not_found' };
  if (row.status === 'revoked') return { ok: false, reason: 'revoked' };
  if (row.status === 'used') return { ok: false, reason: 'used' };
  if (row.started) return { ok: false, reason: 'started' };
  return { ok: true };
}
