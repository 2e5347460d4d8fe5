import type { Db } from '../../engine/src/db/pool.ts';
import { decodeEntries } from '../../engine/src/journal/codec.ts';
import { call, type Records, type World } from './clients.ts';
import type { ChaosNode } from './stack.ts';

/*
 * What must be true once every fault is healed, read from the outside: the
 * HTTP API for what a buyer would see, Postgres for tickets and the journal.
 */

export type Findings = {
  lost: number;
  /** The first few lost answers, with what was found instead. */
  lostDetail: string[];
  oversold: number;
  oversoldDetail: string[];
  doubleAdmitted: number;
  doubleDetail: string[];
  staleWrites: number;
  staleDetail: string[];
  /** Gaps or overlaps in an event's journal seqs (a history that is not one line). */
  journalBreaks: number;
  /** Tickets no order holds: seats sold without a payment (every sale of a run goes through checkout). */
  unpaidTickets: number;
  unpaidDetail: string[];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks through random nodes until an answer that is not a 5xx, for up to `deadlineMs`. */
async function ask(nodes: ChaosNode[], method: string, path: string, token: string, deadlineMs = 30_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const node = nodes[Math.floor(Math.random() * nodes.length)]!;
    const a = await call(node, method, path, { token }).catch(() => null);
    if (a !== null && a.status < 500) return a;
    if (Date.now() > deadline) return a;
    await sleep(200);
  }
}

/**
 * Waits (up to `ms`) for the jobs to catch up: every acknowledged sale's order
 * ticketed, and every ticket linked to its order (a payment whose answer was
 * lost is still worked on by its job; its tickets are unlinked until then).
 */
export async function settleSales(db: Db, records: Records, world: World, ms: number): Promise<void> {
  const ids = [...records.sales.keys()];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ open: number; unlinked: number }>(
      `SELECT (SELECT count(*)::int FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'ticketed') AS open,
              (SELECT count(*)::int FROM tickets WHERE order_id IS NULL AND event_id = ANY($2::uuid[])) AS unlinked`,
      [ids, world.events.map((e) => e.id)]);
    if (rows[0]!.open === 0 && rows[0]!.unlinked === 0) return;
    await sleep(500);
  }
}

export async function verify(opts: { nodes: ChaosNode[]; db: Db; world: World; records: Records }): Promise<Findings> {
  const { nodes, db, world, records } = opts;
  const f: Findings = {
    lost: 0, lostDetail: [], oversold: 0, oversoldDetail: [], doubleAdmitted: 0, doubleDetail: [], staleWrites: 0, staleDetail: [], journalBreaks: 0, unpaidTickets: 0, unpaidDetail: [],
  };
  const lose = (what: string) => {
    f.lost++;
    if (f.lostDetail.length < 10) f.lostDetail.push(what);
  };

  // Holds: each acknowledged hold is there, held or sold (none is released, and none can expire within a run).
  const holds = [...records.holds.values()];
  for (let i = 0; i < holds.length; i += 16) {
    await Promise.all(holds.slice(i, i + 16).map(async (h) => {
      const a = await ask(nodes, 'GET', `/api/holds/${h.holdId}`, h.token);
      const ok = a?.status === 200 && ['held', 'confirmed'].includes(a.body.status) && a.body.quantity === h.quantity;
      if (!ok) lose(`hold ${h.holdId} (201 from ${h.via}): ${a === null ? 'no answer' : `${a.status} ${JSON.stringify(a.body).slice(0, 200)}`}`);
    }));
  }

  // Sales: each acknowledged payment is a ticketed order with as many tickets as it paid for.
  const sales = [...records.sales.values()];
  if (sales.length > 0) {
    const { rows } = await db.query<{ id: string; status: string; tickets: number }>(
      `SELECT o.id, o.status, (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id) AS tickets
         FROM orders o WHERE o.id = ANY($1::uuid[])`, [sales.map((s) => s.orderId)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const s of sales) {
      const o = byId.get(s.orderId);
      if (!o || o.status !== 'ticketed' || o.tickets !== s.quantity) {
        lose(`sale ${s.orderId} (paid through ${s.via}, ${s.quantity} tickets): ${o ? `order ${o.status}, ${o.tickets} tickets` : 'no order'}; ${await holdHistory(db, s.eventId, s.holdId)}`);
      }
    }
  }

  // Check-ins: each ticket a gate was told to admit is used.
  const admitted = [...records.admissions.keys()];
  if (admitted.length > 0) {
    const { rows } = await db.query<{ id: string; status: string }>(`SELECT id, status FROM tickets WHERE id = ANY($1::uuid[])`, [admitted]);
    const status = new Map(rows.map((r) => [r.id, r.status]));
    for (const id of admitted) if (status.get(id) !== 'used') lose(`check-in of ticket ${id} (valid at ${records.admissions.get(id)![0]!.via}): ticket ${status.get(id) ?? 'missing'}`);
  }

  // Double admission: two `valid` answers for one ticket, or two valid scans recorded.
  const doubles = new Set<string>();
  for (const [id, acks] of records.admissions) {
    if (acks.length > 1) {
      doubles.add(id);
      f.doubleDetail.push(`ticket ${id}: valid at ${acks.map((a) => a.via).join(' and ')}`);
    }
  }
  const eventIds = world.events.map((e) => e.id);
  const { rows: scans } = await db.query<{ ticket_id: string; n: number }>(
    `SELECT ticket_id, count(*)::int AS n FROM checkin_scans WHERE event_id = ANY($1::uuid[]) AND outcome = 'valid' GROUP BY ticket_id HAVING count(*) > 1`, [eventIds]);
  for (const r of scans) {
    if (!doubles.has(r.ticket_id)) f.doubleDetail.push(`ticket ${r.ticket_id}: ${r.n} valid scans recorded`);
    doubles.add(r.ticket_id);
  }
  f.doubleAdmitted = doubles.size;

  // Overselling: tickets of a type beyond its capacity, or sold + held beyond it in the actor's own view.
  for (const event of world.events) {
    const view = await ask(nodes, 'GET', `/api/events/${event.id}`, world.organizer);
    for (const type of event.types) {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE type_id = $1`, [type.id]);
      const live = view?.status === 200 ? view.body.ticketTypes.find((t: { id: string }) => t.id === type.id) : null;
      const over = rows[0]!.n > type.capacity || (live !== null && live.sold + live.held > type.capacity);
      if (over) {
        f.oversold++;
        f.oversoldDetail.push(`type ${type.name} of ${event.id}: capacity ${type.capacity}, ${rows[0]!.n} tickets, view sold ${live?.sold} held ${live?.held}`);
      }
    }
  }

  const { rows: unpaid } = await db.query<{ hold_id: string; event_id: string; n: number }>(
    `SELECT hold_id, event_id, count(*)::int AS n FROM tickets WHERE order_id IS NULL AND event_id = ANY($1::uuid[]) GROUP BY hold_id, event_id`, [eventIds]);
  f.unpaidTickets = unpaid.reduce((n, r) => n + r.n, 0);
  for (const r of unpaid.slice(0, 5)) f.unpaidDetail.push(`${r.n} ticket(s) of hold ${r.hold_id} belong to no order; ${await holdHistory(db, r.event_id, r.hold_id)}`);

  const stale = await staleWrites(db);
  f.staleWrites = stale.length;
  f.staleDetail = stale.slice(0, 10);
  f.journalBreaks = await journalBreaks(db);
  return f;
}

/**
 * Fencing, read from the journal: a row of an older epoch that comes (by seq)
 * after the first row of a newer epoch of the same event is a write a stale
 * owner committed after its successor had taken over. One line per such row.
 */
export async function staleWrites(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ event_id: string; seq_from: string; epoch: string; newer: string }>(
    `SELECT j.event_id, j.seq_from, j.epoch, min(k.epoch) AS newer FROM inventory_journal j
       JOIN inventory_journal k ON k.event_id = j.event_id AND k.epoch > j.epoch AND k.seq_from < j.seq_from
      GROUP BY j.event_id, j.seq_from, j.epoch ORDER BY j.event_id, j.seq_from`);
  return rows.map((r) => `event ${r.event_id} seq ${r.seq_from} at epoch ${r.epoch} after a row of epoch ${r.newer}`);
}

/** Rows whose seq_from does not follow the previous row's seq_to: a gap or an overlap in an event's history. */
export async function journalBreaks(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT seq_from, lag(seq_to) OVER (PARTITION BY event_id ORDER BY seq_from) AS prev FROM inventory_journal
     ) x WHERE prev IS NOT NULL AND seq_from <> prev + 1`);
  return rows[0]!.n;
}

/** Evidence for a sale that went wrong: its hold's tickets and every journal entry that names the hold, with the row's epoch. */
async function holdHistory(db: Db, eventId: string, holdId: string): Promise<string> {
  const { rows: tickets } = await db.query<{ id: string; order_id: string | null; issued_at: Date }>(
    'SELECT id, order_id, issued_at FROM tickets WHERE hold_id = $1 ORDER BY issued_at', [holdId]);
  const { rows } = await db.query<{ seq_from: string; epoch: string; shard: number; entries: Buffer; recorded_at: Date }>(
    'SELECT seq_from, epoch, shard, entries, recorded_at FROM inventory_journal WHERE event_id = $1 ORDER BY seq_from', [eventId]);
  const entries = rows.flatMap((r) => decodeEntries(eventId, r.entries)
    .filter((e) => JSON.stringify(e.body).includes(holdId))
    .map((e) => `seq ${e.seq} epoch ${r.epoch} at ${r.recorded_at.toISOString().slice(11, 23)}: ${JSON.stringify(e.body).slice(0, 300)}`));
  const t = tickets.map((x) => `${x.id} (order ${x.order_id}, issued ${x.issued_at.toISOString().slice(11, 23)})`);
  return `tickets of hold ${holdId}: ${t.join(', ')}; journal: ${entries.join(' | ')}`;
}
