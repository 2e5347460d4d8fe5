import WebSocket from 'ws';
import { progress, type Check, type ResultRow, type ScenarioReport } from '../report.ts';
import { oversellChecks } from '../hold_requests.ts';
import { cpuSpent } from '../server.ts';
import { withStack, type Stack } from '../stack.ts';
import { Stage } from '../stages.ts';
import { getEvent } from '../tickr_api.ts';
import type { BenchOptions, Scenario } from './index.ts';
import { missingRoutes, needText, type RouteNeed } from './needs.ts';
import { checkout, needs as ticketsNeeds, pay, pipelineChecks, type Order } from './tickets.ts';

/**
 * Scenario `flash-sale`: the whole stampede on one real node. `--capacity`
 * tickets (default 2,000; `--quick` 200) and as many participants
 * (`--participants`), each wanting 2, so demand is twice the stock by default. Every participant joins the drop's
 * queue (HTTP), watches it over a WebSocket of its own, trades its queue
 * ticket for an admission token when the head passes its place, holds 2
 * tickets with that token, checks out with the simulated provider, pays, and
 * waits until its order's tickets are issued. The organizer admits
 * everyone within ~10 s (`--quick` 3 s). At most `--connections` HTTP
 * requests are in flight at once (default 100); WebSockets are not counted.
 *
 * Each participant comes from its own address (X-Forwarded-For, believed
 * because the node trusts the bench as its one proxy: TICKR_TRUST_PROXY=1 in
 * stack.ts), so the per-address join limit treats them as the different
 * people they stand for.
 *
 * Expected numbers, a sketch, not a measurement: joins at ~1-3k/s; the queue
 * wait is the admission schedule plus up to one tick (~1 s); admission and
 * hold p50 in the single-digit ms (holds group-commit), p99 under ~100 ms;
 * checkout and pay each commit a row and enqueue a job, some hundreds to
 * ~1,000/s; tickets issued ~1-3k/s behind them. The stock is all held within
 * a few seconds of admission reaching half the participants, then the other
 * half answer sold out. Afterwards, in the database: no type sold past its
 * capacity, every paid order has its tickets or a refund, and no hold still
 * held past its TTL.
 *
 * Without the checkout and payment routes the scenario runs up to the holds
 * and says which stages it could not run: it never makes up their figures.
 */

export const needs: RouteNeed[] = [
  { method: 'POST', path: '/api/events/:id/queue', what: 'joining the queue', issue: 4 },
  { method: 'POST', path: '/api/events/:id/admission', what: 'admission tokens', issue: 4 },
];
/** Checkout, pay and the order's status: what the tickets scenario needs too. */
export const paymentNeeds: RouteNeed[] = ticketsNeeds;

export const flashSale: Scenario = { run };

const perParticipant = 2;
const holdTtlSeconds = 300;
const ticketWaitMs = 60_000;

export function saleSize(opts: BenchOptions): { capacity: number; participants: number; admitSeconds: number } {
  const capacity = opts.capacityGiven ? opts.capacity : opts.quick ? 200 : 2_000;
  return { capacity, participants: opts.participants ?? capacity, admitSeconds: opts.quick ? 3 : 10 };
}

type Journey = { hold?: { holdId: string; token: string }; order?: Order; outcome: 'tickets' | 'held' | 'sold_out' | 'not_admitted' | 'failed'; why?: string };

type Run = {
  stack: Stack;
  stages: Record<'join' | 'queue wait' | 'admission' | 'hold' | 'checkout' | 'pay' | 'tickets', Stage>;
  payments: boolean;
  /** A semaphore over HTTP requests in flight. */
  http: <T>(fn: () => Promise<T>) => Promise<T>;
  /** How long a waiter waits for its turn before it gives up. */
  waitMaxMs: number;
};

async function run(opts: BenchOptions): Promise<ScenarioReport> {
  const size = saleSize(opts);
  return withStack(opts, { capacity: size.capacity, perBuyerLimit: 4, holdTtlSeconds }, async (stack) => {
    const notes: string[] = [];
    const missing = await missingRoutes(stack.server.url, needs);
    if (missing.length > 0) {
      const status = `not available: needs ${missing.map(needText).join('; ')}`;
      return { scenario: 'flash-sale', results: [], checks: [], figures: { status }, notes: [`${status}. Nothing was measured.`] };
    }
    const missingPay = await missingRoutes(stack.server.url, paymentNeeds);
    if (missingPay.length > 0) notes.push(`partial run: checkout, pay and tickets not available: needs ${missingPay.map(needText).join('; ')}; the run stops at the holds`);
    await configureQueue(stack, Math.ceil((size.participants * 60) / size.admitSeconds));
    const tokens = await stack.pool.take(size.participants);
    const origin = performance.now();
    const stage = (name: string) => new Stage(name, origin);
    const r: Run = {
      stack,
      payments: missingPay.length === 0,
      stages: { join: stage('join'), 'queue wait': stage('queue wait'), admission: stage('admission'), hold: stage('hold'), checkout: stage('checkout'), pay: stage('pay'), tickets: stage('tickets') },
      http: semaphore(opts.connections[0] ?? 100),
      waitMaxMs: (size.admitSeconds * 3 + 60) * 1000,
    };
    const before = stack.server.cpu();
    progress(`flash-sale: ${size.participants} participants for ${size.capacity} tickets (${perParticipant} each), admitted over ~${size.admitSeconds} s`);
    const journeys = await Promise.all(tokens.map((token, i) => journey(r, token, i)));
    const spent = cpuSpent(before, stack.server.cpu());
    const elapsedS = (performance.now() - origin) / 1000;
    return report(r, journeys, { size, elapsedS, cpuUs: spent.totalUs, pgUs: stack.server.postgresFound ? spent.postgresUs : null, measurable: before.processUs > 0, notes });
  });
}

async function configureQueue(stack: Stack, ratePerMinute: number): Promise<void> {
  const response = await fetch(`${stack.server.url}/api/events/${stack.event.id}/queue/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.organizer}` },
    body: JSON.stringify({ queueEnabled: true, admissionRatePerMinute: ratePerMinute, powBits: 0 }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`PATCH queue settings answered ${response.status}: ${text.slice(0, 300)}`);
}

export function semaphore(width: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= width) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** One HTTP call: status and parsed body, timed into `stage` when given (2xx counts as done). */
async function call(r: Run, stage: Stage | null, method: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return r.http(async () => {
    const run = async () => {
      const response = await fetch(r.stack.server.url + path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Not JSON: kept as text for the message.
      }
      return { status: response.status, ok: response.status >= 200 && response.status < 300, json, text };
    };
    return stage ? stage.time(run) : run();
  });
}

/**
 * Waits on the participant's WebSocket until the head reaches `place`. It
 * stops waiting when the drop sells out, when it gives up (r.waitMaxMs), and,
 * in a run without payments, when every ticket is held: nobody pays, so no
 * hold turns into a sale and the head waits for holds to expire.
 */
function headReaches(r: Run, queueTicket: string, place: number): Promise<'admitted' | 'sold_out' | 'not_admitted'> {
  const url = `${r.stack.server.url.replace(/^http/, 'ws')}/api/events/${r.stack.event.id}/queue/live?queueTicket=${encodeURIComponent(queueTicket)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => finish('not_admitted'), r.waitMaxMs);
    const finish = (value: 'admitted' | 'sold_out' | 'not_admitted' | Error) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.close();
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    ws.on('message', (data) => {
      const tick = JSON.parse(String(data)) as { type?: string; head?: number; state?: string };
      if (tick.type !== 'tick') return;
      if ((tick.head ?? 0) >= place) finish('admitted');
      else if (tick.state === 'sold_out') finish('sold_out');
      else if (tick.state === 'all_held' && !r.payments) finish('not_admitted');
    });
    ws.on('error', (error) => finish(error));
    ws.on('close', (code, reason) => finish(new Error(`queue WebSocket closed ${code} ${String(reason)}`)));
  });
}

async function journey(r: Run, token: string, i: number): Promise<Journey> {
  const s = r.stages;
  const id = r.stack.event.id;
  // 198.18.0.0/15: the range set aside for benchmarks.
  const from = { 'x-forwarded-for': `198.18.${(i >> 8) & 255}.${i & 255}` };
  try {
    const joined = await call(r, s.join, 'POST', `/api/events/${id}/queue`, token, {}, from);
    if (!joined.ok) return { outcome: 'failed', why: `join ${joined.status} ${joined.text.slice(0, 120)}` };
    const place = joined.json.place as number;
    const queueTicket = joined.json.queueTicket as string;
    const waitStarted = performance.now();
    const turn = await headReaches(r, queueTicket, place);
    if (turn !== 'admitted') return { outcome: turn };
    s['queue wait'].done(performance.now() - waitStarted);
    let admitted = await call(r, s.admission, 'POST', `/api/events/${id}/admission`, token, { queueTicket }, from);
    for (let retry = 0; admitted.status === 409 && retry < 20; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      admitted = await call(r, s.admission, 'POST', `/api/events/${id}/admission`, token, { queueTicket }, from);
    }
    // 410 is sold out, or a turn that lapsed before this participant traded it (a slow run): only the first is "sold out".
    if (admitted.status === 410) return (admitted.json.error as { code?: string } | undefined)?.code === 'admission_lapsed' ? { outcome: 'failed', why: 'admission lapsed before it was used' } : { outcome: 'sold_out' };
    if (!admitted.ok) return { outcome: 'failed', why: `admission ${admitted.status} ${admitted.text.slice(0, 120)}` };
    const typeId = r.stack.event.ticketTypes[0]!.id;
    const held = await call(r, s.hold, 'POST', `/api/events/${id}/holds`, token, { typeId, quantity: perParticipant }, {
      ...from,
      'admission-token': admitted.json.admissionToken as string,
      'idempotency-key': `flash-${r.stack.tag}-${i}`,
    });
    if (held.status === 409) return { outcome: 'sold_out' };
    if (!held.ok) return { outcome: 'failed', why: `hold ${held.status} ${held.text.slice(0, 120)}` };
    const hold = { holdId: held.json.holdId as string, token };
    if (!r.payments) return { hold, outcome: 'held' };
    const order = await r.http(() => s.checkout.time(async () => ({ ...(await checkout(r.stack, { ...hold, quantity: perParticipant })), ok: true })));
    const paid = await r.http(() => s.pay.time(() => pay(r.stack, order)));
    if (!paid.ok) return { hold, order, outcome: 'failed', why: `pay ${paid.status}` };
    const issued = await ticketsIssued(r, order);
    return issued ? { hold, order, outcome: 'tickets' } : { hold, order, outcome: 'failed', why: 'tickets not issued in time' };
  } catch (error) {
    return { outcome: 'failed', why: (error as Error).message.slice(0, 200) };
  }
}

/**
 * Polls the order until it is ticketed (the tickets stage: payment answered to
 * tickets issued) twice a second, as an order page would. Not GET /tickets, which renders
 * every QR code on each call: polling it would load the node for nothing.
 */
async function ticketsIssued(r: Run, order: Order): Promise<boolean> {
  const started = performance.now();
  while (performance.now() - started < ticketWaitMs) {
    const answer = await call(r, null, 'GET', `/api/orders/${order.orderId}`, order.token, undefined);
    if (answer.ok && answer.json.status === 'ticketed') {
      r.stages.tickets.done(performance.now() - started);
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  r.stages.tickets.fail();
  return false;
}

type Totals = { size: ReturnType<typeof saleSize>; elapsedS: number; cpuUs: number; pgUs: number | null; measurable: boolean; notes: string[] };

async function report(r: Run, journeys: Journey[], t: Totals): Promise<ScenarioReport> {
  const count = (o: Journey['outcome']) => journeys.filter((j) => j.outcome === o).length;
  const names = r.payments ? (Object.keys(r.stages) as (keyof Run['stages'])[]) : (['join', 'queue wait', 'admission', 'hold'] as const);
  const results: ResultRow[] = names.map((name) => r.stages[name].row());
  const perParticipantUs = (us: number | null) => (us === null || !t.measurable ? null : us / t.size.participants);
  results.push({ name: 'whole sale', rps: t.size.participants / t.elapsedS, p50: 0, p99: 0, errors: count('failed'), cpuUsPerReq: perParticipantUs(t.cpuUs), pgCpuUsPerReq: perParticipantUs(t.pgUs), requests: t.size.participants });
  const soldOutS = r.stages.hold.lastAtS();
  const lastTicketS = r.stages.tickets.lastAtS();
  const figures: ScenarioReport['figures'] = {
    participants: t.size.participants,
    capacity: t.size.capacity,
    'participants with tickets': count('tickets'),
    'participants holding (no payment stage)': count('held'),
    'answered sold out': count('sold_out'),
    'never admitted (stock all held, or gave up waiting)': count('not_admitted'),
    failed: count('failed'),
    'time to sell out (last hold) ms': soldOutS === null ? null : Math.round(soldOutS * 1000),
    'time to last ticket issued ms': lastTicketS === null ? null : Math.round(lastTicketS * 1000),
    eventId: r.stack.event.id,
  };
  const whys = [...new Set(journeys.filter((j) => j.why).map((j) => j.why!))].slice(0, 5);
  if (whys.length > 0) t.notes.push(`failures, first kinds: ${whys.join(' | ')}`);
  t.notes.push('the whole sale row: participants per second over the run, CPU per participant (node and PostgreSQL); tickets row: pay answered to all of an order\'s tickets visible');
  const checks = await databaseChecks(r, journeys);
  for (const check of checks) progress(`${check.ok ? 'ok' : 'FAIL'} ${check.name}: ${check.detail}`);
  return { scenario: 'flash-sale', results, checks, figures, notes: t.notes };
}

/** After the run, from the database and the node: sold within capacity, paid orders ticketed or refunded, no hold past its TTL. */
async function databaseChecks(r: Run, journeys: Journey[]): Promise<Check[]> {
  const { db, event } = r.stack;
  const checks = await soldWithinCapacity(db, event.id);
  const orderIds = journeys.flatMap((j) => (j.order ? [j.order.orderId] : []));
  if (r.payments) checks.push(...(await pipelineChecks(r.stack, orderIds, r.stack.event.ticketTypes[0]?.capacity ?? 0)));
  else {
    const live = await getEvent(r.stack.server.url, event.id);
    checks.push(...oversellChecks(live.ticketTypes));
  }
  checks.push(await noHoldPastTtl(r, journeys));
  return checks;
}

/** Per ticket type, the tickets in the database (not revoked) within its capacity. */
export async function soldWithinCapacity(db: Stack['db'], eventId: string): Promise<Check[]> {
  const { rows } = await db.query<{ name: string; capacity: number; sold: number }>(
    `SELECT tt.name, tt.capacity, (SELECT count(*)::int FROM tickets t WHERE t.type_id = tt.id AND t.status <> 'revoked') AS sold
       FROM ticket_types tt WHERE tt.event_id = $1`,
    [eventId],
  );
  return rows.map((t) => ({ name: `sold <= capacity (${t.name})`, ok: t.sold <= t.capacity, detail: `${t.sold} tickets <= capacity ${t.capacity}` }));
}

/**
 * Every hold placed is confirmed, released, or still within its TTL: none left
 * `held` after it should have expired. A 404 `hold_not_found` is a closed hold:
 * the actor always finds an open one, and remembers how a hold closed only for
 * its last `closedHoldsMax` closings (a sell-out of 5,000 orders closes more).
 */
async function noHoldPastTtl(r: Run, journeys: Journey[]): Promise<Check> {
  const holds = journeys.flatMap((j) => (j.hold ? [j.hold] : []));
  let stale = 0;
  let forgotten = 0;
  let unreadable = 0;
  for (const hold of holds) {
    const answer = await call(r, null, 'GET', `/api/holds/${hold.holdId}`, hold.token, undefined);
    if (answer.status === 404 && (answer.json.error as { code?: unknown } | undefined)?.code === 'hold_not_found') {
      forgotten++;
      continue;
    }
    if (!answer.ok) {
      unreadable++;
      continue;
    }
    const expiresAt = Date.parse(String(answer.json.expiresAt));
    if (answer.json.status === 'held' && expiresAt < Date.now()) stale++;
  }
  return {
    name: 'no hold left past its TTL',
    ok: stale === 0 && unreadable === 0,
    detail: `${stale} of ${holds.length} holds still held past expiresAt; ${forgotten} closed long enough ago to be forgotten (404, so not open); ${unreadable} could not be read`,
  };
}
