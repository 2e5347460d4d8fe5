import type { SqlExecutor } from '../jobs/queues.ts';
import type { CheckinList } from './verify.ts';

/** Check-in lists, staff assignments and the numbers organizers watch at the door. One statement per function. */

type ListRaw = { id: string; event_id: string; name: string; type_ids: string[] };
const listOf = (r: ListRaw): CheckinList => ({ id: r.id, eventId: r.event_id, name: r.name, typeIds: r.type_ids });

/** Null when the name is taken in this event. */
export async function insertList(db: SqlExecutor, eventId: string, name: string, typeIds: string[]): Promise<CheckinList | null> {
  const row = (await db.query(
    `INSERT INTO checkin_lists (event_id, name, type_ids) VALUES ($1, $2, $3) ON CONFLICT (event_id, name) DO NOTHING
     RETURNING id, event_id, name, type_ids`, [eventId, name, typeIds])).rows[0] as ListRaw | undefined;
  return row === undefined ? null : listOf(row);
}

export async function selectLists(db: SqlExecutor, eventId: string): Promise<CheckinList[]> {
  const { rows } = await db.query('SELECT id, event_id, name, type_ids FROM checkin_lists WHERE event_id = $1 ORDER BY created_at, name', [eventId]);
  return (rows as ListRaw[]).map(listOf);
}

export async function countLists(db: SqlExecutor, eventId: string): Promise<number> {
  const row = (await db.query('SELECT count(*)::int AS n FROM checkin_lists WHERE event_id = $1', [eventId])).rows[0] as { n: number };
  return row.n;
}

/** 'conflict' when the new name is taken; null when there is no such list. */
export async function updateList(db: SqlExecutor, eventId: string, listId: string, patch: { name?: string; typeIds?: string[] }): Promise<CheckinList | null | 'conflict'> {
  try {
    const row = (await db.query(
      `UPDATE checkin_lists SET name = coalesce($3, name), type_ids = coalesce($4, type_ids) WHERE id = $1 AND event_id = $2
       RETURNING id, event_id, name, type_ids`, [listId, eventId, patch.name ?? null, patch.typeIds ?? null])).rows[0] as ListRaw | undefined;
    return row === undefined ? null : listOf(row);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return 'conflict';
    throw error;
  }
}

export async function deleteList(db: SqlExecutor, eventId: string, listId: string): Promise<boolean> {
  return (await db.query('DELETE FROM checkin_lists WHERE id = $1 AND event_id = $2 RETURNING id', [listId, eventId])).rows.length === 1;
}

/** Whether the account may scan for the event: assigned staff, or the event's own organizer. */
export async function canScan(db: SqlExecutor, eventId: string, accountId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM event_staff WHERE event_id = $1 AND account_id = $2
     UNION ALL SELECT 1 FROM events WHERE id = $1 AND organizer_id = $2 LIMIT 1`, [eventId, accountId]);
  return rows.length > 0;
}

export type CheckinStats = {
  issued: number; used: number; revoked: number;
  lists: { listId: string; name: string; used: number }[];
  gates: { gate: string; used: number }[];
  conflicts: number;
};

export async function selectStats(db: SqlExecutor, eventId: string): Promise<CheckinStats> {
  const row = (await db.query(
    `SELECT
       (SELECT json_build_object(
          'issued', count(*) FILTER (WHERE secret IS NOT NULL),
          'used', count(*) FILTER (WHERE status = 'used'),
          'revoked', count(*) FILTER (WHERE status = 'revoked' AND secret IS NOT NULL)) FROM tickets WHERE event_id = $1) AS totals,
       (SELECT coalesce(json_agg(json_build_object('listId', l.id, 'name', l.name,
          'used', (SELECT count(*) FROM tickets t WHERE t.used_list_id = l.id AND t.status = 'used')) ORDER BY l.created_at, l.name), '[]')
          FROM checkin_lists l WHERE l.event_id = $1) AS lists,
       (SELECT coalesce(json_agg(json_build_object('gate', g.gate, 'used', g.n) ORDER BY g.gate), '[]')
          FROM (SELECT used_gate AS gate, count(*) AS n FROM tickets WHERE event_id = $1 AND status = 'used' GROUP BY used_gate) g) AS gates,
       (SELECT count(*)::int FROM checkin_conflicts WHERE event_id = $1) AS conflicts`, [eventId])).rows[0] as
    { totals: { issued: number; used: number; revoked: number }; lists: CheckinStats['lists']; gates: CheckinStats['gates']; conflicts: number };
  return { ...row.totals, lists: row.lists, gates: row.gates, conflicts: row.conflicts };
}

export type ConflictView = {
  ticketId: string; holderName: string | null; typeName: string;
  first: { at: string | null; gate: string | null; device: string | null };
  second: { at: string; gate: string; device: string; receivedAt: string };
};

export async function selectConflicts(db: SqlExecutor, eventId: string, limit: number): Promise<ConflictView[]> {
  const { rows } = await db.query(
    `SELECT c.ticket_id, t.holder_name, tt.name AS type_name, c.first_at, c.first_gate, c.first_device,
            s.scanned_at, s.gate, s.device, s.received_at
       FROM checkin_conflicts c JOIN checkin_scans s ON s.id = c.second_scan_id
       JOIN tickets t ON t.id = c.ticket_id JOIN ticket_types tt ON tt.id = t.type_id
      WHERE c.event_id = $1 ORDER BY c.detected_at DESC LIMIT $2`, [eventId, limit]);
  return (rows as { ticket_id: string; holder_name: string | null; type_name: string; first_at: Date | null; first_gate: string | null;
    first_device: string | null; scanned_at: Date; gate: string; device: string; received_at: Date }[]).map((r) => ({
    ticketId: r.ticket_id, holderName: r.holder_name, typeName: r.type_name,
    first: { at: r.first_at?.toISOString() ?? null, gate: r.first_gate, device: r.first_device },
    second: { at: r.scanned_at.toISOString(), gate: r.gate, device: r.device, receivedAt: r.received_at.toISOString() },
  }));
}
