import { deriveServerKey } from '../../../engine/src/tickets/keys.ts';
import { eventSigningKey } from '../../../engine/src/tickets/event_keys.ts';
import { encodeTicketSecret } from '../../../engine/src/tickets/secret.ts';
import { runOnce, type LoadResult, type LoadSpec } from '../autocannon_run.ts';
import { countdown, progress, type Check, type ResultRow, type ScenarioReport } from '../report.ts';
import { cpuSpent } from '../server.ts';
import { makeStaff, withStack, type Stack } from '../stack.ts';
import type { BenchOptions, Scenario } from './index.ts';
import { missingRoutes, notAvailable, type RouteNeed } from './needs.ts';

/**
 * Scenario `checkin`: the doors open. Two gates scan the same tickets at the
 * same time (both walk the list in the same order, so nearly every ticket is
 * scanned twice within milliseconds): check-ins per second, and whether any
 * ticket got in twice.
 *
 * Expected numbers, a sketch, not a measurement: a scan verifies an Ed25519
 * signature (~50-100 µs), reads the ticket, runs one conditional UPDATE and
 * records the scan, committed before the answer. Each commit waits for its
 * own WAL flush, as the PostgreSQL hold baselines do, so on a 2-core box with
 * a slow fsync expect ~1,000-3,000 scans/s over both gates at 100
 * connections, half of them admissions (the other gate's scan answers
 * already used), p50 ~20-60 ms, p99 under ~300 ms, ~0.5-1.5 ms of server CPU
 * a scan with PostgreSQL counted. Zero tickets admitted twice, at any load.
 *
 * Setup, not measured: tickets are written straight into the database, each
 * with a secret signed by the event's key exactly as tickets-issue signs it
 * (the node was given a ticket key secret the bench knows), so this measures
 * check-in alone. A staff account is assigned to the event; one check-in list.
 */

export const needs: RouteNeed[] = [{ method: 'POST', path: '/api/checkin', what: 'online check-in', issue: 5 }];

export const checkin: Scenario = { run };

/** Enough tickets that a run never wraps around: the faster gate scans each ticket once. */
export function ticketsFor(opts: BenchOptions): number {
  if (opts.capacityGiven) return opts.capacity;
  return opts.quick ? 4_000 : 40_000;
}

async function run(opts: BenchOptions): Promise<ScenarioReport> {
  const count = ticketsFor(opts);
  return withStack(opts, { capacity: count, perBuyerLimit: 10, holdTtlSeconds: 480 }, async (stack) => {
    const missing = await missingRoutes(stack.server.url, needs);
    if (missing.length > 0) return notAvailable('checkin', missing);
    const started = Date.now();
    const secrets = await makeTickets(stack, count);
    const staff = await makeStaff(stack);
    const { rows } = await stack.db.query<{ id: string }>(`INSERT INTO checkin_lists (event_id, name) VALUES ($1, 'Main entrance') RETURNING id::text AS id`, [stack.event.id]);
    const listId = rows[0]!.id;
    progress(`checkin: ${count} signed tickets, a staff account and a list in ${Date.now() - started} ms`);
    return measure(stack, opts, { secrets, listId, token: staff.token });
  });
}

/** `count` valid tickets with their secrets, signed by the event's key (made here as the node would make it). */
async function makeTickets(stack: Stack, count: number): Promise<string[]> {
  const key = await eventSigningKey(stack.db, stack.event.id, deriveServerKey(stack.ticketKeySecret));
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO accounts (email, password_hash, name, role) VALUES ($1, 'scrypt$disabled', 'Bench holder', 'participant') RETURNING id::text AS id`,
    [`holder-${stack.tag}@bench.tickr.test`],
  );
  const buyerId = rows[0]!.id;
  const typeId = stack.event.ticketTypes[0]!.id;
  const secrets: string[] = [];
  for (let first = 0; first < count; first += 5_000) {
    const ids = Array.from({ length: Math.min(5_000, count - first) }, () => crypto.randomUUID());
    const batch = ids.map((ticketId) => encodeTicketSecret({ ticketId, eventId: stack.event.id, typeId, version: 0 }, key.privateKey));
    await stack.db.query(
      `INSERT INTO tickets (id, event_id, type_id, hold_id, buyer_id, price, currency, status, secret, secret_issued_at, holder_name)
       SELECT t.id, $2, $3, 'bench-checkin-' || t.id, $4, 5000, 'EUR', 'valid', t.secret, now(), 'Bench holder'
         FROM unnest($1::uuid[], $5::text[]) AS t (id, secret)`,
      [ids, stack.event.id, typeId, buyerId, batch],
    );
    secrets.push(...batch);
  }
  return secrets;
}

type Setup = { secrets: string[]; listId: string; token: string };

async function measure(stack: Stack, opts: BenchOptions, setup: Setup): Promise<ScenarioReport> {
  const results: ResultRow[] = [];
  const checks: Check[] = [];
  const notes: string[] = ['tickets are written to the database with real signed secrets before the run (setup, not measured); both gates walk them in the same order'];
  const connections = opts.connections[0] ?? 100;
  const perGate = Math.max(1, Math.floor(connections / 2));
  const n = setup.secrets.length;
  const spec = (gate: string, pick: (seq: number) => string, durationS: number): LoadSpec => ({
    url: stack.server.url,
    method: 'POST',
    path: '/api/checkin',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.token}` },
    connections: perGate,
    durationS,
    makeRequest: (seq) => ({ body: JSON.stringify({ list: setup.listId, secret: pick(seq), gate, device: `bench-${gate}` }) }),
  });
  if (opts.warmupS > 0) {
    // The warm-up scans from the end of the list, the measured run from its start.
    await runOnce(spec('warm-up', (seq) => setup.secrets[n - 1 - (seq % n)]!, opts.warmupS));
  }
  const warmUsed = await settledUsedCount(stack);
  const before = stack.server.cpu();
  const done = countdown(`checkin, 2 gates × ${perGate} connections`, opts.durationS);
  const started = Date.now();
  const [a, b] = await Promise.all([runOnce(spec('A', (seq) => setup.secrets[seq % n]!, opts.durationS)), runOnce(spec('B', (seq) => setup.secrets[seq % n]!, opts.durationS))]).finally(done);
  const seconds = (Date.now() - started) / 1000;
  const spent = cpuSpent(before, stack.server.cpu());
  // Scans still in flight when the load stopped finish on the node: count once they have.
  const admitted = (await settledUsedCount(stack)) - warmUsed;
  const answered = a.requests + b.requests;
  const per = (us: number) => (before.processUs > 0 && answered > 0 ? us / answered : null);
  for (const [gate, load] of [['gate A', a], ['gate B', b]] as const) results.push(gateRow(gate, load, perGate));
  results.push({
    name: 'both gates',
    rps: answered / a.durationS,
    p50: Math.max(a.p50, b.p50),
    p99: Math.max(a.p99, b.p99),
    errors: a.errors + b.errors,
    non2xx: a.non2xx + b.non2xx,
    requests: answered,
    connections: perGate * 2,
    cpuUsPerReq: per(spent.totalUs),
    pgCpuUsPerReq: stack.server.postgresFound ? per(spent.postgresUs) : null,
  });
  progress(`checkin: ${Math.round(answered / a.durationS)} scans/s, ${admitted} admitted in ${seconds.toFixed(1)} s`);
  const figures: ScenarioReport['figures'] = {
    'scans/s (both gates)': Math.round(answered / a.durationS),
    'check-ins/s (admitted)': Math.round(admitted / a.durationS),
    'tickets admitted': admitted,
    tickets: n,
    eventId: stack.event.id,
  };
  if (a.requests >= n || b.requests >= n) notes.push(`a gate scanned more than the ${n} tickets: it went round the list again (use a larger --capacity)`);
  checks.push(...(await admittedOnce(stack)));
  const fiveHundreds = Object.entries({ ...a.statusCodes }).concat(Object.entries(b.statusCodes)).filter(([code]) => code.startsWith('5'));
  checks.push({ name: 'no 5xx answer', ok: fiveHundreds.length === 0, detail: fiveHundreds.length === 0 ? 'none' : fiveHundreds.map(([c, k]) => `${c}×${k}`).join(', ') });
  for (const check of checks) progress(`${check.ok ? 'ok' : 'FAIL'} ${check.name}: ${check.detail}`);
  return { scenario: 'checkin', results, checks, figures, notes };
}

function gateRow(name: string, load: LoadResult, connections: number): ResultRow {
  return {
    name,
    rps: load.rps,
    p50: load.p50,
    p99: load.p99,
    errors: load.errors,
    cpuUsPerReq: null,
    non2xx: load.non2xx,
    requests: load.requests,
    connections,
    statusCodes: load.statusCodes,
    timeline: load.timeline,
    latency: load.latency,
  };
}

/** The used count once it has stopped moving (the scans in flight have finished), at most 10 s. */
async function settledUsedCount(stack: Stack): Promise<number> {
  let last = await usedCount(stack);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await usedCount(stack);
    if (now === last) return now;
    last = now;
  }
  return last;
}

async function usedCount(stack: Stack): Promise<number> {
  const { rows } = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE event_id = $1 AND status = 'used'`, [stack.event.id]);
  return rows[0]!.n;
}

/** Every ticket admitted at most once, and the admissions recorded match the tickets marked used. */
export async function admittedOnce(stack: { db: Stack['db']; event: { id: string } }): Promise<Check[]> {
  const { rows } = await stack.db.query<{ twice: number; admissions: number; used: number }>(
    `SELECT (SELECT count(*)::int FROM (SELECT ticket_id FROM checkin_scans WHERE event_id = $1 AND outcome = 'valid' GROUP BY ticket_id HAVING count(*) > 1) d) AS twice,
            (SELECT count(*)::int FROM checkin_scans WHERE event_id = $1 AND outcome = 'valid') AS admissions,
            (SELECT count(*)::int FROM tickets WHERE event_id = $1 AND status = 'used') AS used`,
    [stack.event.id],
  );
  const r = rows[0]!;
  return [
    { name: 'no ticket admitted twice', ok: r.twice === 0, detail: `${r.twice} tickets with more than one 'valid' scan` },
    { name: 'admissions match tickets used', ok: r.admissions === r.used, detail: `${r.admissions} valid scans, ${r.used} tickets used` },
  ];
}
