import type { Db } from '../db/pool.ts';

/** A ticket as its owner's pages read it: the secret while it was issued (the edge hides it once revoked). */
export type OwnerTicketRow = {
  id: string; typeId: string; typeName: string; holderName: string | null; status: string; version: number;
  secret: string | null; secretIssuedAt: Date | null; usedAt: Date | null; usedGate: string | null;
};

/** The order the tickets page asks for: its buyer (the only one who sees them), and the hold its tickets were issued for. */
export type TicketedOrder = { id: string; eventId: string; buyerId: string; status: string; holdId: string; ticketedHoldId: string | null };

const ticketColumns = `t.id, t.type_id AS "typeId", tt.name AS "typeName", t.holder_name AS "holderName", t.status, t.version, t.secret,
  t.secret_issued_at AS "secretIssuedAt", t.used_at AS "usedAt", t.used_gate AS "usedGate"`;

export async function selectTicketedOrder(db: Db, orderId: string): Promise<TicketedOrder | null> {
  const { rows } = await db.query<TicketedOrder>(
    `SELECT id, event_id AS "eventId", buyer_id AS "buyerId", status, hold_id AS "holdId", ticketed_hold_id AS "ticketedHoldId"
       FROM orders WHERE id = $1`, [orderId]);
  return rows[0] ?? null;
}

/** The tickets of `order`: by order, or by the hold they were issued for (tickets issued before orders had lines). */
export async function selectOwnerTickets(db: Db, order: TicketedOrder): Promise<OwnerTicketRow[]> {
  const { rows } = await db.query<OwnerTicketRow>(
    `SELECT ${ticketColumns} FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id
      WHERE t.order_id = $1 OR t.hold_id = $2 ORDER BY t.id`, [order.id, order.ticketedHoldId ?? order.holdId]);
  return rows;
}

/** One ticket as its owner sees it after a change (holder renamed, secret reissued). */
export async function selectOwnerTicket(db: Db, ticketId: string): Promise<OwnerTicketRow> {
  const { rows } = await db.query<OwnerTicketRow>(`SELECT ${ticketColumns} FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id WHERE t.id = $1`, [ticketId]);
  return rows[0]!;
}
