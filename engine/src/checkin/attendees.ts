import type { Db } from '../db/pool.ts';
import { csvBom, csvLine } from '../export/csv.ts';

/**
 * The attendee list of an event (#15), as CSV for the organizer: one line per
 * ticket that admits or admitted (issued to a paid order, not revoked), with
 * its holder's name (the name on the ticket, else the buyer's), the buyer's
 * email, the ticket type, the order, and whether and when it was checked in,
 * in the event's own time zone (named in the header).
 *
 * Streamed: read in pages of `attendeesPageSize` by ticket id (an index on
 * (event_id, id), migration 0018), each page from the pool on its own, so a
 * slow download never holds a database connection between pages.
 */

/** Tickets per database read; a page's lines are one chunk of the answer. */
export const attendeesPageSize = 1_000;

type AttendeeRow = { id: string; name: string; email: string; typeName: string; orderId: string; usedAt: Date | null };

async function selectAttendeesPage(db: Db, eventId: string, afterId: string | null, limit: number): Promise<AttendeeRow[]> {
  const { rows } = await db.query<AttendeeRow>(
    `SELECT t.id, COALESCE(NULLIF(btrim(t.holder_name), ''), a.name) AS name, a.email, ty.name AS "typeName", t.order_id AS "orderId", t.used_at AS "usedAt"
       FROM tickets t JOIN accounts a ON a.id = t.buyer_id JOIN ticket_types ty ON ty.id = t.type_id
      WHERE t.event_id = $1 AND t.order_id IS NOT NULL AND t.status <> 'revoked' AND ($2::uuid IS NULL OR t.id > $2::uuid)
      ORDER BY t.id
      LIMIT $3`,
    [eventId, afterId, limit],
  );
  return rows;
}

/** `2026-12-31 21:30` in `timeZone`: what a spreadsheet sorts and reads, the zone said once in the header. */
export function localTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

export const attendeeColumns = ['Name', 'Email', 'Ticket type', 'Order', 'Ticket', 'Checked in', 'Checked in at'] as const;

/**
 * The CSV, chunk by chunk: the byte order mark and the header with the first
 * page (read before anything is yielded, so a failing database is an error
 * answer, not a cut file), then a page at a time.
 */
export async function* attendeesCsv(db: Db, event: { id: string; timeZone: string }, pageSize = attendeesPageSize): AsyncGenerator<string> {
  let page = await selectAttendeesPage(db, event.id, null, pageSize);
  const header = attendeeColumns.map((c) => (c === 'Checked in at' ? `${c} (${event.timeZone})` : c));
  let chunk = csvBom + csvLine(header);
  for (;;) {
    for (const r of page) chunk += csvLine([r.name, r.email, r.typeName, r.orderId, r.id, r.usedAt === null ? 'no' : 'yes', r.usedAt === null ? null : localTime(r.usedAt, event.timeZone)]);
    yield chunk;
    if (page.length < pageSize) return;
    page = await selectAttendeesPage(db, event.id, page[page.length - 1]!.id, pageSize);
    chunk = '';
    if (page.length === 0) return;
  }
}
