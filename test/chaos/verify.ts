import type { Db } from '../../engine/src/db/pool.ts';
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

/** Waits (up to `ms`) for every acknowledged sale's order to be ticketed: the jobs run after the payment. */
export async function settleSales(db: Db, records: Records, ms: number): Promise<void> {
  const ids = [...records.sales.keys()];
  const deadline = Date.now() + ms;
  while (ids.length > 0 && Date.now() < deadline) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'ticketed'`, [ids]);
    if (rows[0]!.n === 0) return;
    await sleep(500);
  }
}

export async function verify(opts: { nodes: ChaosNode[]; db: Db; world: World; records: Records }): Promise<Findings> {
  const { nodes, db, world, records } = opts;
  const f: Findings = { lost: 0, lostDetail: [], oversold: 0, oversoldDetail: [], doubleAdmitted: 0, doubleDetail: [], staleWrites: 0, staleDetail: [], journalBreaks: 0 };
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
      `SELECT o.id, o.status, (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id OR t.hold_id = o.hold_id) AS tickets
         FROM orders o WHERE o.id = ANY($1::uuid[])`, [sales.map((s) => s.orderId)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const s of sales) {
      const o = byId.get(s.orderId);
      if (!o || o.status !== 'ticketed' || o.tickets !== s.quantity) lose(`sale ${s.orderId} (paid through ${s.via}, ${s.quantity} tickets): ${o ? `order ${o.status}, ${o.tickets} tickets` : 'no order'}`);
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
