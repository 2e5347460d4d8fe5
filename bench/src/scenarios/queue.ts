import WebSocket from 'ws';
import { queuePollMs } from '../../../engine/src/queue/limits.ts';
import { signQueueTicket } from '../../../engine/src/queue/queue_ticket.ts';
import { queueKeyOf } from '../../../edge/src/queue/keys.ts';
import { runLoad, type LoadSpec } from '../autocannon_run.ts';
import { ParticipantPool } from '../participants.ts';
import { countdown, progress, type ResultRow, type ScenarioReport } from '../report.ts';
import { cpuSpent, startTickr, type TickrServer } from '../server.ts';
import { percentileOfSorted } from '../stats.ts';
import { createGaEvent, inParallel, signupOrganizer } from '../tickr_api.ts';
import type { BenchOptions, Scenario } from './index.ts';

/**
 * Scenario `queue`: one node, N real WebSocket waiters on one drop.
 *
 * - joins/s: POST /api/events/:id/queue with a fresh buyer per request (each
 *   a durable place), next to the uWS hello-world of the same node;
 * - server memory per waiter: the node's RSS before and after the waiters
 *   connected, over N;
 * - tick delivery: each tick carries `headMovedAt` (the owner's clock, the
 *   same machine's): for every head move, the delay until the last waiter
 *   received it, p50/p99 over the moves, and over every delivery;
 * - sell-out: from the organizer's change until every waiter heard it.
 *
 * Waiters spread over loopback addresses 127.0.0.1, .2, ... (at most
 * `waitersPerAddress` each), past the ephemeral port range of one address
 * pair. The spread is on the node's side of each connection (it listens on
 * 0.0.0.0), not by binding the client's source address: an explicit bind()
 * makes Linux search its port table for every socket (quadratic, measured:
 * ~100 connections/s near 18 000, 85 % system CPU), while connect() picks a
 * source port per address pair at once. Either way a 4-tuple differs per
 * 127.0.0.x, which is what lifts the limit.
 * N is TICKR_BENCH_WAITERS (default 100 000, 2 000 with --quick); both this
 * process and the node need N file descriptors (`ulimit -n`).
 *
 * Targets (issue #4): 100 000 waiters, <= 4 KB server memory per waiter, p99
 * delivery under 1 s. Expected: uWS keeps a socket in well under 1 KB plus
 * our per-socket object, so ~1-2 KB a waiter; one tick is one publish per
 * drop, so delivery is bounded by the kernel and by this process parsing N
 * messages a tick on the same cores (which dominates on a 2-core box).
 */

const waitersPerAddress = 20_000;
/** Connections opened at once while the waiters connect. */
const connectWidth = 200;
/** A connection dropped before its welcome (a server busy accepting thousands) is tried this many times in all. */
const connectAttempts = 4;
/**
 * The rate the head moves at during the delivery measurement: one move a
 * second, so this process (which parses every waiter's copy of every tick, on
 * the same cores as the node) keeps up, and a delay is the node's, not a
 * backlog of ours.
 */
const admissionRatePerMinute = 60;

export const queue: Scenario = { run };

const headPattern = /"head":(\d+)/;
const movedPattern = /"headMovedAt":"([^"]+)"/;

type Delivery = { head: number; movedAt: number; receivedAt: number };

type Drop = { eventId: string; typeId: string };
type Setup = { server: TickrServer; organizer: string; live: Drop; joinsDrop: Drop; pool: ParticipantPool; key: Buffer };

/**
 * The waiters go first, on a node that has done little yet: its heap is
 * small and steady, so the RSS it gains is the waiters' (after a load, V8
 * gives garbage back while the waiters connect, and RSS even shrinks). The
 * joins load comes last, on a drop of its own.
 */
async function run(opts: BenchOptions): Promise<ScenarioReport> {
  // --nodes: the waiters spread over a cluster, watched by raw-socket client processes (queue_cluster.ts).
  if (opts.nodes !== undefined) return (await import('./queue_cluster.ts')).runCluster(opts);
  const report: ScenarioReport = { scenario: 'queue', results: [], checks: [], figures: {}, notes: [] };
  const waiters = opts.waiters ?? (Number(process.env.TICKR_BENCH_WAITERS) || (opts.quick ? 2_000 : 100_000));
  progress(`starting a Tickr node (${opts.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL'})`);
  // The bench stands in for one proxy in front of the node (TICKR_TRUST_PROXY=1), so each simulated
  // buyer joins from its own address (X-Forwarded-For), as real buyers would, under the per-address join limit.
  const server = await startTickr({ ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}), extraEnv: { TICKR_TRUST_PROXY: '1' } });
  try {
    const setup = await prepare(server, opts);
    // Real places on the live drop, so its head has somewhere to go while the waiters watch.
    const places = Math.max(200, opts.durationS * 2);
    const seeders = await setup.pool.take(places);
    await inParallel(places, 20, (i) => api(server, 'POST', `/api/events/${setup.live.eventId}/queue`, seeders[i]!, {}, { 'x-forwarded-for': `10.200.${i >> 8}.${i & 255}` }));
    await measureWaiters(setup, opts, waiters, places, report);
    await measureJoins(setup, opts, report);
  } catch (error) {
    progress(`stopping the node; its log stays at ${server.logFile}`);
    await server.stop({ keepLog: true });
    throw error;
  }
  progress('stopping the node');
  await server.stop();
  for (const c of report.checks) progress(`${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}`);
  return report;
}

async function prepare(server: TickrServer, opts: BenchOptions): Promise<Setup> {
  const tag = Date.now().toString(36);
  const organizer = await signupOrganizer(server.url, tag);
  const drop = async (name: string): Promise<Drop> => {
    const event = await createGaEvent(server.url, organizer, { name: `${name} ${tag}`, capacity: opts.capacity, perBuyerLimit: 1, holdTtlSeconds: 480 });
    // A head at one a minute while the waiters connect: the measured moves come later, at admissionRatePerMinute.
    await api(server, 'PATCH', `/api/events/${event.id}/queue/settings`, organizer, { queueEnabled: true, admissionRatePerMinute: 1 });
    return { eventId: event.id, typeId: event.ticketTypes[0]!.id };
  };
  return {
    server, organizer, live: await drop('Queue bench'), joinsDrop: await drop('Queue joins'),
    // Buyers go straight into the node's PostgreSQL, with tokens minted here: see participants.ts.
    pool: new ParticipantPool(server, tag),
    // Tickets signed with the node's own key; a waiter needs no account to watch.
    key: queueKeyOf(new TextEncoder().encode(server.tokenSecret)),
  };
}

/** What this process's waiters heard: their sockets, the head moves timed, the sell-out, the connections retried. */
type Crowd = {
  sockets: WebSocket[];
  deliveries: Delivery[];
  soldOutHeard: number;
  lastSoldOut: number;
  /** Head moves are timed only while this is set. */
  measuring: boolean;
  connectFailures: number;
};

/** Memory per waiter, head move -> last waiter, sell-out -> every waiter. */
async function measureWaiters(setup: Setup, opts: BenchOptions, waiters: number, places: number, report: ScenarioReport): Promise<void> {
  const crowd: Crowd = { sockets: [], deliveries: [], soldOutHeard: 0, lastSoldOut: 0, measuring: false, connectFailures: 0 };
  const connect = (i: number) => connectWaiter(setup, crowd, places, i, 1);
  try {
    await measureWaiterMemory(setup.server, crowd, waiters, connect, report);
    await measureTickDelivery(setup, opts, crowd, report);
    await measureSellOut(setup, crowd, report);
    report.notes.push(`a head move is pushed to the node's waiters once durable (the owner is also polled every ${queuePollMs} ms as a safety net); the waiters run in this one process, on the same cores as the node`);
  } finally {
    for (const ws of crowd.sockets) ws.terminate();
  }
}

/** A waiter's first sight of each head counts; later ticks repeat it (about once a second) and do not. */
function hearTick(crowd: Crowd, text: string, seen: { head: number; soldOut: boolean }): void {
  const receivedAt = Date.now();
  // Two fields by pattern rather than JSON.parse of every copy: the client's cost per tick bounds what we can measure.
  const head = Number(headPattern.exec(text)?.[1] ?? -1);
  if (head > seen.head) {
    seen.head = head;
    const movedAt = movedPattern.exec(text)?.[1];
    if (crowd.measuring && movedAt !== undefined) crowd.deliveries.push({ head, movedAt: Date.parse(movedAt), receivedAt });
  }
  if (text.includes('"state":"sold_out"') && !seen.soldOut) {
    seen.soldOut = true;
    crowd.soldOutHeard++;
    crowd.lastSoldOut = receivedAt;
  }
}

/** One waiter, greeted; a connection refused or dropped before its welcome is tried again, a few times. */
function connectWaiter(setup: Setup, crowd: Crowd, places: number, i: number, attempt: number): Promise<void> {
  const { server, live } = setup;
  return new Promise<void>((resolve) => {
    const ticket = signQueueTicket({ eventId: live.eventId, place: 1 + (i % places), buyer: `bench-${i}`, issuedAt: Date.now() }, setup.key);
    const host = `127.0.0.${1 + Math.floor(i / waitersPerAddress)}`;
    const ws = new WebSocket(`ws://${host}:${server.spec.port}/api/events/${live.eventId}/queue/live?queueTicket=${ticket}`, { perMessageDeflate: false });
    const seen = { head: -1, soldOut: false };
    let greeted = false;
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('{"type":"tick"')) return hearTick(crowd, text, seen);
      if (!greeted) {
        greeted = true;
        crowd.sockets.push(ws);
        resolve();
      }
    });
    const retry = () => {
      if (greeted) return;
      greeted = true;
      ws.terminate();
      crowd.connectFailures++;
      if (attempt < connectAttempts) setTimeout(() => void connectWaiter(setup, crowd, places, i, attempt + 1).then(resolve), 100 * attempt);
      else resolve();
    };
    ws.once('error', retry);
    ws.once('close', retry);
  });
}

/** The node's memory before the waiters, after half of them, and after all. */
type MemoryTrail = { before: Memory; atHalf: Memory; firstHalf: number; after: Memory };

/** A warm-up round, then the measured one; the node's memory per waiter from the memory they left. */
async function measureWaiterMemory(server: TickrServer, crowd: Crowd, waiters: number, connect: (i: number) => Promise<void>, report: ScenarioReport): Promise<void> {
  const { figures, notes } = report;
  const { sockets } = crowd;
  // A first round that connects everyone and drops them warms the node's allocators and the uWS socket pools:
  // without it, startup memory the node gives back while the waiters connect hides what they cost.
  progress(`warm-up: connecting ${waiters} waiters over ${Math.ceil(waiters / waitersPerAddress)} loopback address(es), then dropping them`);
  await inParallel(waiters, connectWidth, (i) => connect(i));
  for (const ws of sockets.splice(0)) ws.terminate();
  await sleep(3_000);
  const before = await memory(server);
  progress(`connecting ${waiters} waiters again, measured`);
  const connectStarted = Date.now();
  const half = Math.floor(waiters / 2);
  await inParallel(half, connectWidth, (i) => connect(i));
  const atHalf = await memory(server);
  const firstHalf = sockets.length;
  await inParallel(waiters - half, connectWidth, (i) => connect(half + i));
  figures.connectRetries = crowd.connectFailures;
  figures.connectSeconds = Math.round((Date.now() - connectStarted) / 1000);
  if (sockets.length < waiters) notes.push(`${waiters - sockets.length} of ${waiters} waiters could not connect after ${connectAttempts} attempts`);
  progress(`${sockets.length} waiters connected and greeted in ${Date.now() - connectStarted} ms`);
  const after = await memory(server);
  if (after.waiters !== sockets.length) notes.push(`the node counts ${after.waiters} waiters, this process ${sockets.length}`);
  reportWaiterMemory({ before, atHalf, firstHalf, after }, sockets.length, report);
}

function reportWaiterMemory(trail: MemoryTrail, connected: number, report: ScenarioReport): void {
  const { figures, checks } = report;
  const { before, atHalf, firstHalf, after } = trail;
  // After a full GC each time. Two estimates: over all waiters, and over the second half alone; the larger is checked.
  const per = (a: Memory, b: Memory, n: number, field: keyof Memory) => Math.round((b[field] - a[field]) / Math.max(1, n));
  const overall = per(before, after, connected, 'rss');
  const secondHalf = per(atHalf, after, connected - firstHalf, 'rss');
  const perWaiterBytes = Math.max(overall, secondHalf);
  const mb = (m: Memory) => Math.round(m.rss / 2 ** 20);
  Object.assign(figures, {
    waiters: connected, serverRssBeforeMb: mb(before), serverRssHalfMb: mb(atHalf), serverRssAfterMb: mb(after),
    serverBytesPerWaiter: overall, serverBytesPerWaiterSecondHalf: secondHalf,
    serverHeapBytesPerWaiter: per(before, after, connected, 'heapUsed'),
    serverOutsideHeapBytesPerWaiter: Math.round(((after.rss - after.heapTotal) - (before.rss - before.heapTotal)) / Math.max(1, connected)),
  });
  const heapPerWaiter = figures.serverHeapBytesPerWaiter as number;
  const rssTrail = `RSS after GC ${mb(before)} -> ${mb(atHalf)} -> ${mb(after)} MB`;
  // RSS that falls while waiters connect means the node returned other memory meanwhile (its shard worker's heap,
  // the allocator): the waiters' share is then below that noise, and only the JS heap figure is a measurement.
  checks.push(perWaiterBytes >= 0
    ? { name: 'server memory per waiter <= 4 KB', ok: perWaiterBytes <= 4096, detail: `${perWaiterBytes} B per waiter (${rssTrail}; of it JS heap ${heapPerWaiter} B)` }
    : { name: 'server memory per waiter <= 4 KB (JS heap only: RSS inconclusive)', ok: heapPerWaiter <= 4096, detail: `JS heap ${heapPerWaiter} B per waiter; ${rssTrail}: RSS fell while they connected, so their native share is below the noise` });
}

/** Head moves: admit at a steady rate and record who heard each move when. */
async function measureTickDelivery(setup: Setup, opts: BenchOptions, crowd: Crowd, report: ScenarioReport): Promise<void> {
  const { server, live } = setup;
  const { figures, checks } = report;
  await api(server, 'PATCH', `/api/events/${live.eventId}/queue/settings`, setup.organizer, { admissionRatePerMinute });
  await memory(server); // resets the node's slowest-publish figure
  crowd.measuring = true;
  const before = server.cpu();
  const done = countdown('tick delivery', opts.durationS);
  await sleep(opts.durationS * 1000);
  done();
  crowd.measuring = false;
  const spent = cpuSpent(before, server.cpu());
  // The node's own share of a delivery: the slowest publish of one tick to every waiter (uWS writes all copies in it).
  figures.serverPublishMsMax = Math.round((await memory(server)).publishMsMax * 10) / 10;
  figures.serverCpuPercentWhileTicking = Math.round((spent.processUs / (opts.durationS * 1e6)) * 100);
  const { deliveries } = crowd;
  const lastPerMove = new Map<number, number>();
  for (const d of deliveries) lastPerMove.set(d.head, Math.max(lastPerMove.get(d.head) ?? 0, d.receivedAt - d.movedAt));
  const lastDelays = [...lastPerMove.values()].sort((a, b) => a - b);
  const allDelays = deliveries.map((d) => d.receivedAt - d.movedAt).sort((a, b) => a - b);
  Object.assign(figures, {
    headMoves: lastDelays.length, deliveries: deliveries.length,
    lastWaiterDelayP50Ms: percentileOfSorted(lastDelays, 50), lastWaiterDelayP99Ms: percentileOfSorted(lastDelays, 99),
    deliveryDelayP50Ms: percentileOfSorted(allDelays, 50), deliveryDelayP99Ms: percentileOfSorted(allDelays, 99),
  });
  progress(`head moves ${lastDelays.length}, deliveries ${deliveries.length}: last waiter p50 ${figures.lastWaiterDelayP50Ms} ms, p99 ${figures.lastWaiterDelayP99Ms} ms`);
  checks.push({ name: 'p99 head move -> last waiter < 1 s', ok: (percentileOfSorted(lastDelays, 99) ?? Infinity) < 1000, detail: `p99 ${figures.lastWaiterDelayP99Ms} ms over ${lastDelays.length} moves` });
}

/** Sell-out: everyone must hear it. */
async function measureSellOut(setup: Setup, crowd: Crowd, report: ScenarioReport): Promise<void> {
  const { live } = setup;
  const { figures } = report;
  const soldOutAt = Date.now();
  await api(setup.server, 'PATCH', `/api/events/${live.eventId}`, setup.organizer, { ticketTypes: [{ id: live.typeId, capacity: 0 }] });
  const deadline = Date.now() + 30_000;
  const connected = crowd.sockets.length;
  while (crowd.soldOutHeard < connected && Date.now() < deadline) await sleep(50);
  const heard = crowd.soldOutHeard;
  figures.soldOutToLastWaiterMs = heard === connected ? crowd.lastSoldOut - soldOutAt : null;
  report.checks.push({ name: 'the sell-out reaches every connected waiter', ok: heard === connected, detail: `${heard}/${connected} heard it, the last ${figures.soldOutToLastWaiterMs} ms after the change` });
}

/** POST /queue with a fresh buyer per request, from its own (forwarded) address, next to hello-world. */
async function measureJoins(setup: Setup, opts: BenchOptions, report: ScenarioReport): Promise<void> {
  const { server } = setup;
  const connections = opts.connections[0] ?? 100;
  const hello = await measure(server, 'hello-world', { url: server.url, path: '/bench/hello', connections, durationS: opts.durationS, warmupS: opts.warmupS });
  const joinBuyers = Math.min(45_000, Math.max(5_000, Math.ceil(hello.rps * 0.5 * (opts.durationS + opts.warmupS))));
  progress(`making ${joinBuyers} buyers for the joins`);
  const tokens = await setup.pool.take(joinBuyers);
  const joins = await measure(server, 'tickr joins', {
    url: server.url, method: 'POST', path: `/api/events/${setup.joinsDrop.eventId}/queue`, body: '{}', connections, durationS: opts.durationS, warmupS: opts.warmupS,
    makeRequest: (seq) => ({
      headers: {
        'content-type': 'application/json', authorization: `Bearer ${tokens[seq % tokens.length]!}`,
        'x-forwarded-for': `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`,
      },
    }),
  });
  joins.ratioToHelloWorld = hello.rps > 0 ? joins.rps / hello.rps : null;
  hello.tickrRatio = hello.rps > 0 ? joins.rps / hello.rps : null;
  report.results.push(joins, hello);
  const others = Object.entries(joins.statusCodes ?? {}).filter(([code]) => code !== '201' && code !== '200');
  if (others.length > 0) report.notes.push(`joins answered other than 200/201: ${others.map(([c, n]) => `${c}×${n}`).join(', ')}`);
  if (joins.requests !== undefined && joins.requests > tokens.length) report.notes.push(`${joins.requests - tokens.length} joins were a buyer joining again (same place; the cheaper path)`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(server: TickrServer, method: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

async function measure(server: TickrServer, name: string, spec: LoadSpec): Promise<ResultRow> {
  let before = server.cpu();
  let after = before;
  const done = countdown(`${name} c=${spec.connections}`, (spec.warmupS ?? 0) + spec.durationS, spec.warmupS ?? 0);
  const load = await runLoad(spec, { before: () => (before = server.cpu()), after: () => (after = server.cpu()) }).finally(done);
  const spent = cpuSpent(before, after);
  progress(`${name}: ${Math.round(load.rps)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms`);
  return {
    name, rps: load.rps, p50: load.p50, p99: load.p99, errors: load.errors,
    cpuUsPerReq: before.processUs > 0 && load.requests > 0 ? spent.totalUs / load.requests : null,
    non2xx: load.non2xx, requests: load.requests, connections: spec.connections, statusCodes: load.statusCodes, timeline: load.timeline, latency: load.latency,
  };
}

type Memory = { waiters: number; publishMsMax: number; rss: number; heapTotal: number; heapUsed: number; external: number };

/** The node's memory after a full GC (GET /bench/memory, a bench route), once the waiters settled. */
async function memory(server: TickrServer): Promise<Memory> {
  await sleep(2_000);
  const response = await fetch(`${server.url}/bench/memory`);
  if (!response.ok) throw new Error(`GET /bench/memory answered ${response.status}; the node needs TICKR_BENCH_ROUTES=1, which the bench sets`);
  return (await response.json()) as Memory;
}

