import type { Db } from '../db/pool.ts';
import type { SqlExecutor } from '../jobs/queues.ts';
import { inTransaction } from '../db/transaction.ts';
import { resolveScan, selectTicket, type CheckinList, type Refusal, type TicketRow } from './verify.ts';

export type ScanInput = { secret?: string; ticketId?: string; gate: string; device: string; staffId: string };

export type TicketView = { id: string; typeId: string; typeName: string; holderName: string | null; orderId: string | null };

export type CheckinAnswer =
  | { outcome: 'valid'; ticket: TicketView; usedAt: string; gate: string; list: { id: string; name: string } }
  | { outcome: 'already_used'; ticket: TicketView; usedAt: string | null; gate: string | null; device: string | null; detail: string }
  | { outcome: Refusal; ticket: TicketView | null; detail: string };

export function ticketView(t: TicketRow): TicketView {
  return { id: t.id, typeId: t.typeId, typeName: t.typeName, holderName: t.holderName, orderId: t.orderId };
}

/**
 * Marks a ticket used, once: the row changes only while it is still valid at
 * the version that was verified. Two gates scanning at the same moment both
 * run this; Postgres lets one UPDATE through and the other matches no row.
 */
async function markUsed(db: SqlExecutor, ticketId: string, version: number, at: Date | null, listId: string, gate: string, device: string): Promise<Date | null> {
  const row = (await db.query(
    `UPDATE tickets SET status = 'used', used_at = coalesce($3, now()), used_list_id = $4, used_gate = $5, used_device = $6
      WHERE id = $1 AND status = 'valid' AND version = $2 RETURNING used_at`,
    [ticketId, version, at, listId, gate, device])).rows[0] as { used_at: Date } | undefined;
  return row?.used_at ?? null;
}

async function recordScan(db: SqlExecutor, s: { eventId: string; ticketId: string | null; listId: string; gate: string; device: string; staffId: string; at: Date | null; offline: boolean; outcome: string }): Promise<string | null> {
  const row = (await db.query(
    `INSERT INTO checkin_scans (event_id, ticket_id, list_id, gate, device, staff_id, scanned_at, offline, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), $8, $9)
     ON CONFLICT (ticket_id, device, scanned_at) WHERE offline DO NOTHING RETURNING id`,
    [s.eventId, s.ticketId, s.listId, s.gate, s.device, s.staffId, s.at, s.offline, s.outcome])).rows[0] as { id: string } | undefined;
  return row?.id ?? null;
}

function alreadyUsed(t: TicketRow): CheckinAnswer {
  const where = t.usedGate === null ? '' : ` at ${t.usedGate}`;
  return { outcome: 'already_used', ticket: ticketView(t), usedAt: t.usedAt?.toISOString() ?? null, gate: t.usedGate, device: t.usedDevice,
    detail: `This ticket was already used${where}${t.usedAt === null ? '' : ` at ${t.usedAt.toISOString()}`}.` };
}

/**
 * The online admission in one statement: the conditional UPDATE and its scan
 * row commit together, so every admission is recorded, and it costs one round trip.
 */
async function admitOnline(db: SqlExecutor, list: CheckinList, ticketId: string, version: number, scan: ScanInput): Promise<Date | null> {
  const row = (await db.query(
    `WITH used AS (
       UPDATE tickets SET status = 'used', used_at = now(), used_list_id = $3, used_gate = $4, used_device = $5
        WHERE id = $1 AND status = 'valid' AND version = $2 RETURNING id, used_at)
     INSERT INTO checkin_scans (event_id, ticket_id, list_id, gate, device, staff_id, scanned_at, offline, outcome)
     SELECT $6, id, $3, $4, $5, $7, used_at, false, 'valid' FROM used RETURNING scanned_at`,
    [ticketId, version, list.id, scan.gate, scan.device, list.eventId, scan.staffId])).rows[0] as { scanned_at: Date } | undefined;
  return row?.scanned_at ?? null;
}

/** Online check-in at a gate: verify, then one conditional UPDATE. Every scan is recorded with its outcome. */
export async function checkIn(db: SqlExecutor, list: CheckinList, scan: ScanInput): Promise<CheckinAnswer> {
  const resolved = await resolveScan(db, list, scan);
  if (resolved.ok && resolved.ticket.status === 'valid') {
    const usedAt = await admitOnline(db, list, resolved.ticket.id, resolved.version, scan);
    if (usedAt !== null) {
      return { outcome: 'valid', ticket: ticketView(resolved.ticket), usedAt: usedAt.toISOString(), gate: scan.gate, list: { id: list.id, name: list.name } };
    }
  }
  let answer: CheckinAnswer;
  if (!resolved.ok) {
    answer = { outcome: resolved.reason, ticket: resolved.ticket === null ? null : ticketView(resolved.ticket), detail: resolved.detail };
  } else {
    // Used before this scan, or another gate won the UPDATE just now (or the ticket was revoked or reissued since it was read): say what it is now.
    const now = await selectTicket(db, list.eventId, resolved.ticket.id);
    answer = now !== null && now.status === 'used' ? alreadyUsed(now)
      : { outcome: 'revoked', ticket: ticketView(resolved.ticket), detail: 'This ticket was revoked or reissued while it was being scanned.' };
  }
  await recordScan(db, { eventId: list.eventId, ticketId: answer.ticket?.id ?? null, listId: list.id, gate: scan.gate, device: scan.device,
    staffId: scan.staffId, at: null, offline: false, outcome: answer.outcome });
  return answer;
}

export type OfflineScan = { secret?: string; ticketId?: string; scannedAt: Date; gate: string; device: string };

export type SyncResult = {
  index: number;
  /** admitted: recorded as the ticket's entry; duplicate: this scan was synced before; conflict: the ticket had entered elsewhere. */
  outcome: 'admitted' | 'duplicate' | 'conflict' | Refusal;
  ticketId: string | null;
  holderName: string | null;
  detail?: string;
  conflict?: { firstAt: string | null; firstGate: string | null; firstDevice: string | null; secondAt: string; secondGate: string; secondDevice: string };
};

/**
 * One offline scan, in its own transaction: the scan row, the ticket's
 * UPDATE and any conflict row commit together, so a conflict is never lost
 * between them. The offline scanner already let the holder in, so a ticket
 * found used by another gate or device is a conflict, recorded and reported.
 */
export async function syncScan(db: Db, list: CheckinList, staffId: string, scan: OfflineScan, index: number): Promise<SyncResult> {
  return inTransaction(db, async (tx) => {
    const resolved = await resolveScan(tx, list, scan);
    const base = { eventId: list.eventId, listId: list.id, gate: scan.gate, device: scan.device, staffId, at: scan.scannedAt, offline: true };
    if (!resolved.ok) {
      const ticketId = resolved.ticket?.id ?? null;
      await recordScan(tx, { ...base, ticketId, outcome: resolved.reason });
      return { index, outcome: resolved.reason, ticketId, holderName: resolved.ticket?.holderName ?? null, detail: resolved.detail };
    }
    const ticket = resolved.ticket;
    const scanId = await recordScan(tx, { ...base, ticketId: ticket.id, outcome: 'pending' });
    if (scanId === null) return { index, outcome: 'duplicate', ticketId: ticket.id, holderName: ticket.holderName };
    const usedAt = await markUsed(tx, ticket.id, resolved.version, scan.scannedAt, list.id, scan.gate, scan.device);
    if (usedAt !== null) {
      // Stored as 'valid', like an online admission; the offline column tells them apart.
      await tx.query(`UPDATE checkin_scans SET outcome = 'valid' WHERE id = $1`, [scanId]);
      return { index, outcome: 'admitted', ticketId: ticket.id, holderName: ticket.holderName };
    }
    // Lock the ticket so the first entry read here is the one that stays.
    const first = (await tx.query('SELECT status, used_at, used_gate, used_device FROM tickets WHERE id = $1 FOR UPDATE', [ticket.id])).rows[0] as
      { status: string; used_at: Date | null; used_gate: string | null; used_device: string | null };
    if (first.status !== 'used') {
      await tx.query(`UPDATE checkin_scans SET outcome = 'revoked' WHERE id = $1`, [scanId]);
      return { index, outcome: 'revoked', ticketId: ticket.id, holderName: ticket.holderName, detail: 'The ticket was revoked or reissued.' };
    }
    await tx.query(
      `INSERT INTO checkin_conflicts (event_id, ticket_id, first_at, first_gate, first_device, second_scan_id) VALUES ($1, $2, $3, $4, $5, $6)`,
      [list.eventId, ticket.id, first.used_at, first.used_gate, first.used_device, scanId]);
    await tx.query(`UPDATE checkin_scans SET outcome = 'conflict' WHERE id = $1`, [scanId]);
    return {
      index, outcome: 'conflict', ticketId: ticket.id, holderName: ticket.holderName,
      detail: `This ticket had already entered${first.used_gate === null ? '' : ` at ${first.used_gate}`}.`,
      conflict: { firstAt: first.used_at?.toISOString() ?? null, firstGate: first.used_gate, firstDevice: first.used_device,
        secondAt: scan.scannedAt.toISOString(), secondGate: scan.gate, secondDevice: scan.device },
    };
  });
}
