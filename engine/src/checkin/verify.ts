import type { SqlExecutor } from '../jobs/queues.ts';
import { eventVerifyKey } from '../tickets/event_keys.ts';
import { decodeTicketSecret, verifyTicketSecret } from '../tickets/secret.ts';

/**
 * What a scanned secret (or a ticket id typed in by staff) is, before anything
 * is marked used: the checks that online check-in and offline sync share.
 */
export type CheckinList = { id: string; eventId: string; name: string; typeIds: string[] };

export type TicketRow = {
  id: string; eventId: string; typeId: string; typeName: string; holderName: string | null; orderId: string | null;
  version: number; status: 'valid' | 'used' | 'revoked'; issued: boolean;
  usedAt: Date | null; usedGate: string | null; usedDevice: string | null; usedListId: string | null;
};

export type Refusal = 'forged' | 'wrong_event' | 'revoked' | 'wrong_list';
export type Resolved =
  | { ok: true; ticket: TicketRow; version: number }
  | { ok: false; reason: Refusal; ticket: TicketRow | null; detail: string };

export async function selectList(db: SqlExecutor, listId: string): Promise<CheckinList | null> {
  const row = (await db.query('SELECT id, event_id, name, type_ids FROM checkin_lists WHERE id = $1', [listId])).rows[0] as
    { id: string; event_id: string; name: string; type_ids: string[] } | undefined;
  return row === undefined ? null : { id: row.id, eventId: row.event_id, name: row.name, typeIds: row.type_ids };
}

const ticketColumns = `t.id, t.event_id, t.type_id, tt.name AS type_name, t.holder_name, t.order_id, t.version, t.status,
  t.secret IS NOT NULL AS issued, t.used_at, t.used_gate, t.used_device, t.used_list_id`;

type Raw = { id: string; event_id: string; type_id: string; type_name: string; holder_name: string | null; order_id: string | null; version: number;
  status: TicketRow['status']; issued: boolean; used_at: Date | null; used_gate: string | null; used_device: string | null; used_list_id: string | null };

export function ticketRow(r: Raw): TicketRow {
  return { id: r.id, eventId: r.event_id, typeId: r.type_id, typeName: r.type_name, holderName: r.holder_name, orderId: r.order_id, version: r.version,
    status: r.status, issued: r.issued, usedAt: r.used_at, usedGate: r.used_gate, usedDevice: r.used_device, usedListId: r.used_list_id };
}

export async function selectTicket(db: SqlExecutor, eventId: string, ticketId: string): Promise<TicketRow | null> {
  const row = (await db.query(`SELECT ${ticketColumns} FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id WHERE t.id = $1 AND t.event_id = $2`,
    [ticketId, eventId])).rows[0] as Raw | undefined;
  return row === undefined ? null : ticketRow(row);
}

export async function searchTickets(db: SqlExecutor, eventId: string, query: { orderId?: string; name?: string }, limit: number): Promise<TicketRow[]> {
  const { rows } = query.orderId !== undefined
    ? await db.query(`SELECT ${ticketColumns} FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id
        WHERE t.event_id = $1 AND t.order_id = $2 AND t.secret IS NOT NULL ORDER BY t.id LIMIT $3`, [eventId, query.orderId, limit])
    : await db.query(`SELECT ${ticketColumns} FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id
        WHERE t.event_id = $1 AND t.secret IS NOT NULL AND lower(t.holder_name) LIKE '%' || $2 || '%' ORDER BY t.holder_name, t.id LIMIT $3`,
      [eventId, (query.name ?? '').toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`), limit]);
  return (rows as Raw[]).map(ticketRow);
}

/** The short code printed on a pass: the ticket id's first 8 hex digits, upper case. */
export const ticketCodePattern = /^[0-9A-F]{8}$/i;

export function ticketCode(ticketId: string): string {
  return ticketId.slice(0, 8).toUpperCase();
}

/**
 * The issued tickets of an event whose id starts with `code` (a range on the
 * primary key), at most two: two means the code is ambiguous (32 bits; at
 * 100,000 tickets an event may well have a pair).
 */
export async function ticketIdsByCode(db: SqlExecutor, eventId: string, code: string): Promise<string[]> {
  const prefix = code.toLowerCase();
  const { rows } = await db.query(
    `SELECT id FROM tickets WHERE id BETWEEN $2::uuid AND $3::uuid AND event_id = $1 AND secret IS NOT NULL ORDER BY id LIMIT 2`,
    [eventId, `${prefix}-0000-0000-0000-000000000000`, `${prefix}-ffff-ffff-ffff-ffffffffffff`],
  );
  return (rows as { id: string }[]).map((r) => r.id);
}

/**
 * Signature first (with the event's public key), then the ticket as stored:
 * revoked, reissued (an older version), not on this list. A ticket id typed
 * by staff skips the signature: staff vouch for it by looking at the holder.
 */
export async function resolveScan(db: SqlExecutor, list: CheckinList, scan: { secret?: string; ticketId?: string }): Promise<Resolved> {
  let ticketId: string;
  let version: number | null = null;
  if (scan.secret !== undefined) {
    const decoded = decodeTicketSecret(scan.secret);
    if (!decoded.ok) return { ok: false, reason: 'forged', ticket: null, detail: 'This is not a Tickr ticket code.' };
    const key = await eventVerifyKey(db, list.eventId);
    // An event with no key has issued no ticket: nothing can verify.
    const verdict = key === null
      ? (decoded.payload.eventId === list.eventId ? { ok: false as const, reason: 'forged' as const } : { ok: false as const, reason: 'wrong_event' as const })
      : verifyTicketSecret(scan.secret, key, list.eventId);
    if (!verdict.ok) {
      return verdict.reason === 'wrong_event'
        ? { ok: false, reason: 'wrong_event', ticket: null, detail: 'This ticket is for another event.' }
        : { ok: false, reason: 'forged', ticket: null, detail: 'The ticket\'s signature does not verify: it was forged or altered.' };
    }
    ticketId = verdict.payload.ticketId;
    version = verdict.payload.version;
  } else {
    ticketId = scan.ticketId!;
  }
  const ticket = await selectTicket(db, list.eventId, ticketId);
  if (ticket === null) {
    return scan.secret === undefined
      ? { ok: false, reason: 'wrong_event', ticket: null, detail: 'No ticket of this event has this id.' }
      : { ok: false, reason: 'forged', ticket: null, detail: 'The signature verifies but no such ticket exists.' };
  }
  if (ticket.status === 'revoked') return { ok: false, reason: 'revoked', ticket, detail: 'This ticket was revoked (refunded or cancelled).' };
  if (!ticket.issued) return { ok: false, reason: 'revoked', ticket, detail: 'This ticket has not been issued (its order is not paid).' };
  if (version !== null && version !== ticket.version) {
    return { ok: false, reason: 'revoked', ticket, detail: 'This ticket was reissued: this is an old copy; ask for the current one.' };
  }
  if (list.typeIds.length > 0 && !list.typeIds.includes(ticket.typeId)) {
    return { ok: false, reason: 'wrong_list', ticket, detail: `A ${ticket.typeName} ticket does not enter through ${list.name}.` };
  }
  return { ok: true, ticket, version: ticket.version };
}
