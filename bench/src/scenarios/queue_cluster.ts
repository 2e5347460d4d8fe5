import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statusView } from '../../../edge/src/routes/queue.ts';
import { queueKeyOf } from '../../../edge/src/queue/keys.ts';
import { queuePollMs } from '../../../engine/src/queue/limits.ts';
import { startBenchCluster, type BenchCluster } from '../cluster.ts';
import { ParticipantPool } from '../participants.ts';
import { countdown, progress, type Check, type ScenarioReport } from '../report.ts';
import { cpuSpent, freePort, sampleCpu, startChildServer, type ChildServer, type CpuSample, type TickrServer } from '../server.ts';
import { histogramPercentile, percentileOfSorted } from '../stats.ts';
import { createGaEvent, inParallel, signupOrganizer } from '../tickr_api.ts';
import type { BenchOptions } from './index.ts';
import type { FromWaiters, NodeStats, ToWaiters } from './queue_waiters.ts';

/**
 * Scenario `queue --nodes N [--waiters W]`: W WebSocket waiters on one drop,
 * spread evenly over N nodes in cluster mode (a private redis-server, one
 * PostgreSQL, REDIS_URL, one cluster secret), as at a real sale where a load
 * balancer spreads the waiters. The drop's shard has one owner; the other
 * nodes learn its ticks the way they do in production (see
 * edge/src/ws/queue_live.ts).
 *
 * The waiters run in several processes of raw sockets (queue_waiters.ts),
 * each under the file descriptor limit, which count frames without parsing
 * every copy, so the client is not what gets measured. Waiter i goes to node
 * i mod N. Measured:
 *
 * - memory per waiter: every node's RSS and JS heap after a full GC, at a
 *   steady state (sampled every 2 s until RSS holds still), before and after
 *   the waiters connected, over the waiters. The RSS counted is RSS less
 *   V8's committed but unused heap (`heapTotal - heapUsed`): while 100 000
 *   sockets connect, V8 gives back tens of MB its heap grew at start-up, and
 *   raw RSS falls (reported too, as `rssRawBytesPerWaiter`). Kernel socket
 *   buffers are not in any process's RSS. No warm-up round: a round
 *   connected and dropped first leaves its memory in the allocators, which
 *   the second round reuses, and RSS then hardly moves; without it the
 *   figure is an upper bound (allocator growth counts as the waiters');
 * - head move -> last waiter: the head moves at `admissionRatePerMinute`;
 *   for each move, the delay from the owner's `headMovedAt` to the last
 *   waiter that received it, per node and overall, p50/p99 over the moves
 *   (and over every single delivery);
 * - sell-out -> last waiter: from the organizer's capacity change to the
 *   last of all waiters hearing `sold_out`;
 * - node CPU per tick: each node's CPU over the moves, per move published;
 * - the floor (unless --no-baselines): the same waiters, clients, tick bytes
 *   and rate on bare uWS processes (baselines/queue_floor.ts), measured the
 *   same way, and Tickr's delays over the floor's (`deliveryP99VsFloor`,
 *   `selloutAllVsFloor`): on 2 shared cores the kernel's loopback and the
 *   clients' reads are most of a delivery, and the floor is what is left
 *   when Tickr does nothing else.
 *
 * Correctness, whatever the speed: every waiter heard every head its node's
 * sampler heard, and the sell-out.
 */

/**
 * Descriptors a client process keeps for itself (IPC, tsx's worker, stdio):
 * the rest of the limit are its waiters' sockets. Fewer, fuller processes
 * take fewer context switches on 2 cores (100 000 waiters: 6 of ~16 700).
 */
const clientDescriptorsReserve = 500;
/** Descriptors a node needs besides its waiters: PostgreSQL and Redis pools, peers, workers, logs. */
const nodeDescriptorsReserve = 300;
/** Connections each client process opens at once. */
const connectWidth = 100;
/**
 * One move a second, so each tick is a move: at 100 000 waiters one tick is
 * 100 000 frames through the loopback and the clients (an estimated few
 * hundred ms of CPU in all), and faster moves would measure a backlog on 2
 * shared cores rather than the delivery.
 */
const admissionRatePerMinute = 60;
const soldOutWaitMs = 30_000;
/** After the moves stop, deliveries still on their way are waited for this long. */
const deliveryGraceMs = 5_000;

const waitersScript = fileURLToPath(new URL('./queue_waiters.ts', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Memory = { waiters: number; publishMsMax: number; rss: number; heapTotal: number; heapUsed: number; ticks?: { pushed: number; polled: number } };

/** The soft limit on open files of this process (the nodes inherit it), from /proc. */
function descriptorLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) ? soft : Infinity;
  } catch {
    return Infinity;
  }
}

class Waiters {
  private readonly children: ChildProcess[] = [];
  private readonly inbox = new Map<ChildProcess, { want: FromWaiters['t']; resolve: (m: FromWaiters) => void }[]>();
  readonly soldOut = new Map<ChildProcess, number>();

  constructor(readonly ranges: { first: number; count: number }[]) {
    for (const _ of ranges) {
      const child = fork(waitersScript, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.inbox.set(child, []);
      child.on('message', (m: FromWaiters) => {
        if (m.t === 'soldOut') this.soldOut.set(child, m.lastAt);
        const waiting = this.inbox.get(child)!;
        const i = waiting.findIndex((w) => w.want === m.t);
        if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
      });
      this.children.push(child);
    }
  }

  /** Sends each child its message and waits for the answer of type `want` from all. */
  ask<T extends FromWaiters['t']>(message: (i: number) => ToWaiters, want: T): Promise<Extract<FromWaiters, { t: T }>[]> {
    return Promise.all(this.children.map((child, i) => new Promise<Extract<FromWaiters, { t: T }>>((resolve) => {
      this.inbox.get(child)!.push({ want, resolve: resolve as (m: FromWaiters) => void });
      child.send(message(i));
    })));
  }

  get count(): number {
    return this.children.length;
  }

  pids(): number[] {
    return this.children.map((c) => c.pid!);
  }

  stop(): void {
    for (const child of this.children) child.kill();
  }
}

async function memoryOf(server: TickrServer): Promise<Memory> {
  const response = await fetch(`${server.url}/bench/memory`);
  if (!response.ok) throw new Error(`GET /bench/memory of ${server.url} answered ${response.status}`);
  return (await response.json()) as Memory;
}

async function memories(cluster: BenchCluster): Promise<Memory[]> {
  await sleep(2_000);
  return Promise.all(cluster.members.map((m) => memoryOf(m.server)));
}

/** RSS that moves less than this between two samples 2 s apart (each after a full GC) is steady. */
const steadyRssBytes = 2 * 2 ** 20;
const steadySamplesMax = 8;

/**
 * Memory at a steady state: sampled (each after a full GC) every 2 s until no
 * process's RSS moved by `steadyRssBytes` since the sample before, or after
 * `steadySamplesMax` samples. A node just started, or just done with a burst
 * of connections, keeps giving pages back for seconds after its GC (V8 shrinks
 * its heap, malloc trims), and a single sample then reads that as the waiters'.
 */
async function steadyMemories(sample: () => Promise<Memory[]>): Promise<{ memory: Memory[]; steady: boolean }> {
  let previous = await sample();
  for (let n = 1; n < steadySamplesMax; n++) {
    await sleep(2_000);
    const memory = await sample();
    if (memory.every((m, i) => Math.abs(m.rss - previous[i]!.rss) < steadyRssBytes)) return { memory, steady: true };
    previous = memory;
  }
  return { memory: previous, steady: false };
}

/** A request of the organizer or a seeder; a 503 (a shard between owners, or a lease renewed late on a loaded box) is tried again. */
async function api(base: string, method: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (response.ok) return;
    const text = await response.text();
    if (response.status !== 503 || attempt >= 20) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    await sleep(500);
  }
}

export async function runCluster(opts: BenchOptions): Promise<ScenarioReport> {
  const report: ScenarioReport = { scenario: 'queue', results: [], checks: [], figures: {}, notes: [] };
  const nodes = opts.nodes ?? 2;
  const waiters = opts.waiters ?? (Number(process.env.TICKR_BENCH_WAITERS) || (opts.quick ? 2_000 : 100_000));
  const perNode = Math.ceil(waiters / nodes);
  const limit = descriptorLimit();
  if (perNode + nodeDescriptorsReserve > limit) {
    throw new Error(`${waiters} waiters over ${nodes} nodes is ${perNode} sockets a node, past what a node may open (${limit} descriptors, ~${nodeDescriptorsReserve} of them its own): use --nodes ${Math.ceil(waiters / (limit - nodeDescriptorsReserve))} or more`);
  }
  const processes = Math.ceil(waiters / Math.max(1_000, Math.min(limit, 1_000_000) - clientDescriptorsReserve));
  const ranges = Array.from({ length: processes }, (_, p) => {
    const first = Math.floor((p * waiters) / processes);
    return { first, count: Math.floor(((p + 1) * waiters) / processes) - first };
  });
  const tag = Date.now().toString(36);
  const cluster = await startBenchCluster({ nodes }, opts, tag, { TICKR_TRUST_PROXY: '1' });
  const clients = new Waiters(ranges);
  let failed = true;
  try {
    await measure(cluster, clients, opts, waiters, report);
    failed = false;
  } finally {
    clients.stop();
    progress(failed ? 'stopping the cluster; the node logs stay' : 'stopping the cluster');
    await cluster.stop({ keepLog: failed });
  }
  // The floor: bare uWS processes, as many as the nodes, the same waiters and clients, the same tick bytes at the same rate.
  if (opts.baselines === undefined || opts.baselines.length > 0) await measureFloor(nodes, ranges, waiters, opts, report);
  else report.notes.push('the uWS floor (baselines/queue_floor.ts) was not run (--no-baselines)');
  for (const c of report.checks) progress(`${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}`);
  return report;
}

/** The drop the waiters watch, on the cluster's first node. */
type Drop = { first: TickrServer; organizer: string; eventId: string; typeId: string; places: number };

async function measure(cluster: BenchCluster, clients: Waiters, opts: BenchOptions, waiters: number, report: ScenarioReport): Promise<void> {
  const { figures, notes } = report;
  const members = cluster.members;
  const drop = await prepareDrop(cluster, opts);
  const connected = await measureNodeMemory(cluster, clients, drop, waiters, report);
  const { cpuBefore, cpuAfter, publish } = await recordHeadMoves(cluster, clients, drop, opts);
  const reports = await measureSellOut(clients, drop, connected, report);
  const lostAfterGreeting = reports.reduce((a, r) => a + r.lost, 0);
  if (lostAfterGreeting > 0) notes.push(`${lostAfterGreeting} waiters lost their connection after the welcome`);

  deliveries(members.map((m) => m.nodeId), reports.map((r) => r.nodes), report);
  // Node CPU over the moves, per move (each move is one tick published to every waiter of the node).
  const moves = Number(figures.movesPublished) || 0;
  const cpuPerNode = members.map((m) => cpuSpent(cpuBefore.get(m.nodeId)!, cpuAfter.get(m.nodeId)!).processUs);
  figures.nodeCpuPercent = cpuPerNode.map((us) => Math.round((us / (opts.durationS * 1e6)) * 100)).join(' / ');
  figures.nodeCpuMsPerTick = cpuPerNode.map((us) => (moves > 0 ? Math.round(us / moves / 100) / 10 : 'n/a')).join(' / ');
  figures.nodePublishMsMax = publish.map((m) => Math.round(m.publishMsMax * 10) / 10).join(' / ');
  // Where each node's ticks came from while the head moved: pushed changes, or its poll of the owner.
  figures.nodeTicksPushedPolled = publish.map((m) => (m.ticks ? `${m.ticks.pushed}/${m.ticks.polled}` : 'n/a')).join(' / ');
  notes.push(`how ticks reach a node's waiters: pushed (the owner's node, then Redis pub/sub), the owner polled every ${queuePollMs} ms as a safety net (edge/src/ws/queue_live.ts); node CPU includes its lease renewals and polls, and on n1 not its embedded PostgreSQL`);
  report.headline = {
    waiters: connected, nodes: members.length, deliveryP99Ms: figures.lastWaiterDelayP99Ms ?? null,
    // Both set by the steps above (`?? null` only for the type of a figure set in another function).
    selloutAllMs: figures.selloutAllMs ?? null, rssBytesPerWaiter: figures.rssBytesPerWaiter ?? null,
  };
}

/** The organizer, the drop with its queue on, and real places in it. */
async function prepareDrop(cluster: BenchCluster, opts: BenchOptions): Promise<Drop> {
  const first = cluster.members[0]!.server;
  const tag = Date.now().toString(36);
  const organizer = await signupOrganizer(first.url, tag);
  const event = await createGaEvent(first.url, organizer, { name: `Queue bench ${tag}`, capacity: opts.capacity, perBuyerLimit: 1, holdTtlSeconds: 480 });
  const eventId = event.id;
  // A head at one a minute while the waiters connect: the measured moves come later.
  await api(first.url, 'PATCH', `/api/events/${eventId}/queue/settings`, organizer, { queueEnabled: true, admissionRatePerMinute: 1 });
  // Real places, so the head has somewhere to go while the waiters watch.
  const places = Math.max(200, Math.ceil((opts.durationS * admissionRatePerMinute) / 60) * 2);
  const seeders = await new ParticipantPool(first, tag).take(places);
  await inParallel(places, 20, (i) => api(first.url, 'POST', `/api/events/${eventId}/queue`, seeders[i]!, {}, { 'x-forwarded-for': `10.200.${i >> 8}.${i & 255}` }));
  return { first, organizer, eventId, typeId: event.ticketTypes[0]!.id, places };
}

/** One round of connections from every client process, to the nodes in turn. */
async function connectRound(cluster: BenchCluster, clients: Waiters, drop: Drop, waiters: number, round: number): Promise<{ connected: number; retries: number; ms: number }> {
  const { eventId, places } = drop;
  const started = Date.now();
  const key = queueKeyOf(new TextEncoder().encode(drop.first.tokenSecret)).toString('base64');
  const targets = cluster.members.map((m) => ({ port: m.server.spec.port }));
  const answers = await clients.ask((i) => ({ t: 'connect', round, eventId, key, places, ...clients.ranges[i]!, targets, width: connectWidth }), 'connected');
  const sum = (f: 'connected' | 'retries' | 'failed') => answers.reduce((a, m) => a + m[f], 0);
  progress(`round ${round}: ${sum('connected')} of ${waiters} waiters greeted in ${Date.now() - started} ms (${sum('retries')} retries) over ${clients.count} processes`);
  return { connected: sum('connected'), retries: sum('retries'), ms: Date.now() - started };
}

/** The nodes' steady memory before and after the waiters connect; answers how many did. */
async function measureNodeMemory(cluster: BenchCluster, clients: Waiters, drop: Drop, waiters: number, report: ScenarioReport): Promise<number> {
  const { figures, checks } = report;
  const members = cluster.members;
  const sample = () => Promise.all(members.map((m) => memoryOf(m.server)));
  const { memory: before, steady: steadyBefore } = await steadyMemories(sample);
  const round = await connectRound(cluster, clients, drop, waiters, 1);
  const connected = round.connected;
  const { memory: after, steady: steadyAfter } = await steadyMemories(sample);
  figures.waiters = connected;
  figures.nodes = members.length;
  figures.clientProcesses = clients.count;
  figures.connectSeconds = Math.round(round.ms / 100) / 10;
  figures.connectRetries = round.retries;
  checks.push({ name: 'every waiter connected', ok: connected === waiters, detail: `${connected} of ${waiters}` });
  const counted = after.reduce((a, m) => a + m.waiters, 0);
  checks.push({ name: 'the nodes count every waiter', ok: counted === connected, detail: `nodes ${after.map((m) => m.waiters).join(' + ')} = ${counted}, clients ${connected}` });
  reportNodeMemory(before, after, steadyBefore && steadyAfter, connected, report);
  return connected;
}

function reportNodeMemory(before: Memory[], after: Memory[], steady: boolean, connected: number, report: ScenarioReport): void {
  const { figures, checks } = report;
  // RSS less V8's committed but unused heap: what the process holds outside the JS heap (uWS's sockets, buffers, code) plus the
  // JS bytes in use. Raw RSS falls while 100 000 waiters connect (V8 shrinks a heap grown at start-up, by tens of MB), which
  // would make the waiters' share negative; V8's free pages are not the waiters' either way.
  const held = (m: Memory) => m.rss - (m.heapTotal - m.heapUsed);
  const perWaiter = (f: (m: Memory) => number) => Math.round(after.reduce((a, m, i) => a + f(m) - f(before[i]!), 0) / Math.max(1, connected));
  figures.rssBytesPerWaiter = perWaiter(held);
  figures.rssRawBytesPerWaiter = perWaiter((m) => m.rss);
  figures.heapBytesPerWaiter = perWaiter((m) => m.heapUsed);
  figures.nodeRssMb = after.map((m) => Math.round(m.rss / 2 ** 20)).join(' / ');
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const trail = `after GC, ${steady ? 'steady' : 'NOT steady'} (RSS within ${steadyRssBytes / 2 ** 20} MB over 2 s); nodes' RSS ${after.map((m, i) => `${mb(before[i]!.rss)} -> ${mb(m.rss)}`).join(', ')} MB, V8 heap committed ${after.map((m, i) => `${mb(before[i]!.heapTotal)} -> ${mb(m.heapTotal)}`).join(', ')} MB`;
  checks.push(figures.rssBytesPerWaiter >= 0
    ? { name: 'node RSS per waiter <= 4 KB', ok: figures.rssBytesPerWaiter <= 4096, detail: `${figures.rssBytesPerWaiter} B (RSS less V8's unused heap), ${figures.heapBytesPerWaiter} B of it JS heap; raw RSS ${figures.rssRawBytesPerWaiter} B per waiter (${trail})` }
    : { name: 'node memory per waiter <= 4 KB (JS heap only: RSS inconclusive)', ok: figures.heapBytesPerWaiter <= 4096, detail: `${figures.heapBytesPerWaiter} B JS heap per waiter; RSS less V8's unused heap fell (${trail})` });
}

/** Head moves: admit at a steady rate and time who heard each move when. */
async function recordHeadMoves(cluster: BenchCluster, clients: Waiters, drop: Drop, opts: BenchOptions): Promise<{ cpuBefore: Map<string, CpuSample>; cpuAfter: Map<string, CpuSample>; publish: Memory[] }> {
  const { first, organizer, eventId } = drop;
  await api(first.url, 'PATCH', `/api/events/${eventId}/queue/settings`, organizer, { admissionRatePerMinute });
  await memories(cluster); // resets each node's slowest-publish figure
  await clients.ask(() => ({ t: 'record', on: true }), 'recording');
  const cpuBefore = cluster.cpu();
  const done = countdown('head moves', opts.durationS);
  await sleep(opts.durationS * 1000);
  done();
  const cpuAfter = cluster.cpu();
  // The head stops (one a minute again), and the moves already made get a grace period to reach everyone.
  await api(first.url, 'PATCH', `/api/events/${eventId}/queue/settings`, organizer, { admissionRatePerMinute: 1 });
  await sleep(deliveryGraceMs);
  await clients.ask(() => ({ t: 'record', on: false }), 'recording');
  const publish = await Promise.all(cluster.members.map((m) => memoryOf(m.server)));
  return { cpuBefore, cpuAfter, publish };
}

/** Sell-out: every waiter must hear it. Answers the client processes' reports. */
async function measureSellOut(clients: Waiters, drop: Drop, connected: number, report: ScenarioReport): Promise<Extract<FromWaiters, { t: 'report' }>[]> {
  const { figures, checks } = report;
  const soldOutAt = Date.now();
  await api(drop.first.url, 'PATCH', `/api/events/${drop.eventId}`, drop.organizer, { ticketTypes: [{ id: drop.typeId, capacity: 0 }] });
  const deadline = Date.now() + soldOutWaitMs;
  while (clients.soldOut.size < clients.count && Date.now() < deadline) await sleep(50);
  const reports = await clients.ask(() => ({ t: 'report' }), 'report');
  const heard = reports.reduce((a, r) => a + r.soldOutHeard, 0);
  const lastSoldOut = Math.max(...reports.map((r) => r.lastSoldOutAt));
  // From the owner's sell-out (the `at` of the sold-out status, its clock, this machine's) to the last waiter; and from the organizer's request.
  const statusAts = reports.map((r) => r.soldOutStatusAt).filter((at): at is number => at !== null);
  const soldOutOwnerAt = statusAts.length > 0 ? Math.min(...statusAts) : null;
  const everyone = heard === connected && connected > 0;
  figures.selloutAllMs = everyone && soldOutOwnerAt !== null ? lastSoldOut - soldOutOwnerAt : null;
  figures.selloutFromRequestMs = everyone ? lastSoldOut - soldOutAt : null;
  checks.push({ name: 'the sell-out reaches every waiter', ok: everyone, detail: `${heard}/${connected} heard it, the last ${lastSoldOut - soldOutAt} ms after the organizer's request` });
  checks.push({ name: 'sell-out -> every waiter < 2 s', ok: figures.selloutAllMs !== null && figures.selloutAllMs < 2000, detail: `${figures.selloutAllMs} ms` });
  return reports;
}

type Delivery = {
  /** Moves every waiter heard, each counted by its last waiter; and the moves the samplers heard. */
  headMoves: number; movesPublished: number; missed: number;
  lastP50: number | null; lastP99: number | null; deliveryP50: number | null; deliveryP99: number | null;
  perNode: string[];
};

/** Head move -> last waiter per node and overall, over the moves every waiter of a node heard; and over every delivery. */
function summarize(nodeIds: string[], perProcess: NodeStats[][]): Delivery {
  const lastByHead = new Map<number, number>();
  const completeOn = new Map<number, number>();
  const all = new Map<number, number>();
  let missed = 0;
  let sampled = 0;
  const perNode: string[] = [];
  nodeIds.forEach((nodeId, n) => {
    const stats = perProcess.map((p) => p[n]!).filter((s) => s !== undefined);
    const onNode = stats.reduce((a, s) => a + s.waiters, 0);
    missed += stats.reduce((a, s) => a + s.missedMoves, 0);
    sampled = Math.max(sampled, ...stats.map((s) => s.sampledHeads));
    const heads = new Map<number, [number, number]>();
    for (const s of stats) {
      for (const [head, [count, slowest]] of Object.entries(s.perHead)) {
        const row = heads.get(Number(head)) ?? [0, 0];
        heads.set(Number(head), [row[0] + count, Math.max(row[1], slowest)]);
      }
      for (const [ms, count] of Object.entries(s.histogram)) all.set(Number(ms), (all.get(Number(ms)) ?? 0) + count);
    }
    const lasts: number[] = [];
    for (const [head, [count, slowest]] of heads) {
      if (count !== onNode) continue;
      lasts.push(slowest);
      lastByHead.set(head, Math.max(lastByHead.get(head) ?? 0, slowest));
      completeOn.set(head, (completeOn.get(head) ?? 0) + 1);
    }
    lasts.sort((a, b) => a - b);
    perNode.push(`${nodeId} (${onNode} waiters, ${lasts.length} moves): ${percentileOfSorted(lasts, 50)} / ${percentileOfSorted(lasts, 99)} ms`);
  });
  const overall = [...lastByHead].filter(([head]) => completeOn.get(head) === nodeIds.length).map(([, ms]) => ms).sort((a, b) => a - b);
  return {
    headMoves: overall.length, movesPublished: sampled, missed,
    lastP50: percentileOfSorted(overall, 50), lastP99: percentileOfSorted(overall, 99),
    deliveryP50: histogramPercentile(all, 50), deliveryP99: histogramPercentile(all, 99),
    perNode,
  };
}

function deliveries(nodeIds: string[], perProcess: NodeStats[][], report: ScenarioReport): void {
  const { figures, checks } = report;
  const d = summarize(nodeIds, perProcess);
  Object.assign(figures, {
    headMoves: d.headMoves, movesPublished: d.movesPublished,
    lastWaiterDelayP50Ms: d.lastP50, lastWaiterDelayP99Ms: d.lastP99,
    deliveryDelayP50Ms: d.deliveryP50, deliveryDelayP99Ms: d.deliveryP99,
    lastWaiterDelayPerNode: d.perNode.join('; '),
  });
  progress(`head move -> last waiter p50 ${d.lastP50} ms, p99 ${d.lastP99} ms over ${d.headMoves} moves; per node (p50 / p99) ${d.perNode.join('; ')}`);
  const checkList: Check[] = [
    { name: 'every waiter heard every move its node published', ok: d.missed === 0 && d.movesPublished > 0, detail: `${d.missed} waiters missed one; ${d.movesPublished} moves published` },
    { name: 'p99 head move -> last waiter < 1 s', ok: (d.lastP99 ?? Infinity) < 1000, detail: `p99 ${d.lastP99} ms over ${d.headMoves} moves (every delivery: p99 ${d.deliveryP99} ms)` },
  ];
  checks.push(...checkList);
}

type Floor = { server: ChildServer; port: number; url: string };

async function startFloor(dir: string, n: number): Promise<Floor> {
  const port = await freePort();
  const server = await startChildServer({
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/src/baselines/queue_floor.ts'],
    env: { ...process.env, PORT: String(port) },
    readyPattern: new RegExp(`listening on http://127\\.0\\.0\\.1:${port}\\b`),
    logFile: join(dir, `floor${n + 1}.log`),
    timeoutMs: 30_000,
  });
  return { server, port, url: `http://127.0.0.1:${port}` };
}

/** A tick as a Tickr node sends it (statusView of a status), for the floor to publish: the same shape, keys and length. */
function floorTick(eventId: string, head: number, state: 'open' | 'sold_out', places: number): string {
  const at = Date.now();
  return JSON.stringify({
    type: 'tick',
    ...statusView({
      eventId, state, head, placed: places, joined: places, drawn: true, stockLeft: state === 'sold_out' ? 0 : 5000, msPerPlace: 60_000 / admissionRatePerMinute,
      ratePerMinute: admissionRatePerMinute, headMovedAt: at, saleStartsAt: null, waitingRoomOpensAt: null, at,
    }),
  });
}

/**
 * The floor this machine allows (baselines/queue_floor.ts): as many bare uWS
 * processes as Tickr had nodes, the same number of waiters over them through
 * the same client processes (new ones: a process cannot hold both rounds'
 * sockets), one tick a second with the same bytes, each handed to every
 * floor process at once by this process, and a sell-out tick. Measured as
 * Tickr is, from the tick's `headMovedAt` (this process's clock, just before
 * it hands the tick over) to the last waiter. Tickr's cluster is stopped by
 * then, so the two do not share the cores.
 */
async function measureFloor(nodes: number, ranges: { first: number; count: number }[], waiters: number, opts: BenchOptions, report: ScenarioReport): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tickr-bench-floor-'));
  const floors: Floor[] = [];
  let clients: Waiters | undefined;
  let failed = true;
  try {
    progress(`the uWS floor: ${nodes} bare uWS processes, ${waiters} waiters, the same clients and tick`);
    for (let n = 0; n < nodes; n++) floors.push(await startFloor(dir, n));
    clients = new Waiters(ranges);
    const run: FloorRun = { floors, clients, eventId: randomUUID(), places: 1_000 };
    const connected = await connectFloor(run, waiters, report);
    const moves = await publishFloorMoves(run, opts);
    const sellOut = await floorSellOut(run, moves.head, connected, report);
    reportFloor(run, moves, sellOut, connected, report);
    failed = false;
  } finally {
    clients?.stop();
    await Promise.all(floors.map((f) => f.server.stop()));
    if (!failed) await rm(dir, { recursive: true, force: true });
    else progress(`the floor's logs stay in ${dir}`);
  }
}

/** The floor processes, their waiters' clients, and the drop they stand in for. */
type FloorRun = { floors: Floor[]; clients: Waiters; eventId: string; places: number };

function floorMemories(floors: Floor[]): Promise<Memory[]> {
  return Promise.all(floors.map(async (f) => {
    const response = await fetch(`${f.url}/memory`);
    return (await response.json()) as Memory;
  }));
}

function publishToFloors(floors: Floor[], text: string): Promise<void[]> {
  return Promise.all(floors.map(async (f) => {
    const response = await fetch(`${f.url}/publish`, { method: 'POST', body: text });
    if (response.status !== 204) throw new Error(`POST /publish of the floor answered ${response.status}`);
  }));
}

/** The waiters onto the floor, with its steady memory before and after; answers how many connected. */
async function connectFloor(run: FloorRun, waiters: number, report: ScenarioReport): Promise<number> {
  const { floors, clients, eventId, places } = run;
  const { figures, checks } = report;
  const memory = () => floorMemories(floors);
  const { memory: before, steady: steadyBefore } = await steadyMemories(memory);
  const started = Date.now();
  const targets = floors.map((f) => ({ port: f.port }));
  // Round 2: other loopback addresses than Tickr's round, whose closed connections may still sit in TIME_WAIT.
  const answers = await clients.ask((i) => ({ t: 'connect', round: 2, eventId, key: Buffer.alloc(32, 7).toString('base64'), places, ...clients.ranges[i]!, targets, width: connectWidth }), 'connected');
  const connected = answers.reduce((a, m) => a + m.connected, 0);
  progress(`floor: ${connected} of ${waiters} waiters greeted in ${Date.now() - started} ms`);
  const { memory: after, steady: steadyAfter } = await steadyMemories(memory);
  checks.push({ name: 'floor: every waiter connected', ok: connected === waiters, detail: `${connected} of ${waiters}` });
  // As Tickr's nodes': RSS less V8's committed but unused heap.
  figures.floorRssBytesPerWaiter = Math.round(after.reduce((a, m, i) => a + (m.rss - m.heapTotal + m.heapUsed) - (before[i]!.rss - before[i]!.heapTotal + before[i]!.heapUsed), 0) / Math.max(1, connected));
  figures.floorHeapBytesPerWaiter = Math.round(after.reduce((a, m, i) => a + m.heapUsed - before[i]!.heapUsed, 0) / Math.max(1, connected));
  if (!steadyBefore || !steadyAfter) report.notes.push('the floor\'s RSS was not steady within 16 s of its GCs');
  return connected;
}

/** The last head published, and the CPU each floor and client process spent over the moves. */
type FloorMoves = { head: number; floorCpu: number[]; clientCpu: number[]; publishMs: Memory[] };

/** One tick a second for the run's duration, each handed to every floor process at once; then a grace period. */
async function publishFloorMoves(run: FloorRun, opts: BenchOptions): Promise<FloorMoves> {
  const { floors, clients, eventId, places } = run;
  let head = 1;
  await publishToFloors(floors, floorTick(eventId, head, 'open', places));
  await sleep(1_000);
  await floorMemories(floors); // resets the slowest-publish figure
  await clients.ask(() => ({ t: 'record', on: true }), 'recording');
  const cpuBefore = floors.map((f) => sampleCpu(f.server.pid).processUs);
  const clientCpuBefore = clients.pids().map((pid) => sampleCpu(pid).processUs);
  const done = countdown('floor head moves', opts.durationS);
  const periodMs = 60_000 / admissionRatePerMinute;
  const end = Date.now() + opts.durationS * 1000;
  for (let next = Date.now(); next < end; next += periodMs) {
    await sleep(Math.max(0, next - Date.now()));
    await publishToFloors(floors, floorTick(eventId, ++head, 'open', places));
  }
  done();
  await sleep(deliveryGraceMs);
  const floorCpu = floors.map((f, i) => sampleCpu(f.server.pid).processUs - cpuBefore[i]!);
  const clientCpu = clients.pids().map((pid, i) => sampleCpu(pid).processUs - clientCpuBefore[i]!);
  await clients.ask(() => ({ t: 'record', on: false }), 'recording');
  const publishMs = await floorMemories(floors);
  return { head, floorCpu, clientCpu, publishMs };
}

type FloorSellOut = { reports: Extract<FromWaiters, { t: 'report' }>[]; heard: number; everyone: boolean };

async function floorSellOut(run: FloorRun, head: number, connected: number, report: ScenarioReport): Promise<FloorSellOut> {
  const { clients } = run;
  const soldOutAt = Date.now();
  await publishToFloors(run.floors, floorTick(run.eventId, head, 'sold_out', run.places));
  const deadline = Date.now() + soldOutWaitMs;
  while (clients.soldOut.size < clients.count && Date.now() < deadline) await sleep(50);
  const reports = await clients.ask(() => ({ t: 'report' }), 'report');
  const heard = reports.reduce((a, r) => a + r.soldOutHeard, 0);
  const everyone = heard === connected && connected > 0;
  report.figures.floorSelloutAllMs = everyone ? Math.max(...reports.map((r) => r.lastSoldOutAt)) - soldOutAt : null;
  return { reports, heard, everyone };
}

/** The floor's delays and CPU, and Tickr's delays over them. */
function reportFloor(run: FloorRun, moves: FloorMoves, sellOut: FloorSellOut, connected: number, report: ScenarioReport): void {
  const { figures, checks } = report;
  const { floorCpu, clientCpu, publishMs } = moves;
  const { reports, heard, everyone } = sellOut;
  const d = summarize(run.floors.map((_, n) => `f${n + 1}`), reports.map((r) => r.nodes));
  Object.assign(figures, {
    floorLastWaiterDelayP50Ms: d.lastP50, floorLastWaiterDelayP99Ms: d.lastP99,
    floorDeliveryDelayP50Ms: d.deliveryP50, floorDeliveryDelayP99Ms: d.deliveryP99,
    floorHeadMoves: d.headMoves,
    floorCpuMsPerTick: floorCpu.map((us) => (d.movesPublished > 0 ? Math.round(us / d.movesPublished / 100) / 10 : 'n/a')).join(' / '),
    floorPublishMsMax: publishMs.map((m) => Math.round(m.publishMsMax * 10) / 10).join(' / '),
    // Per frame delivered, user + system: what one copy of a tick costs a client process, and the uWS side (its kernel time is the loopback's, both ends).
    floorClientCpuUsPerFrame: d.movesPublished > 0 ? Math.round((clientCpu.reduce((a, b) => a + b, 0) / (connected * d.movesPublished)) * 10) / 10 : null,
    floorServerCpuUsPerFrame: d.movesPublished > 0 ? Math.round((floorCpu.reduce((a, b) => a + b, 0) / (connected * d.movesPublished)) * 10) / 10 : null,
  });
  const ratio = (tickr: unknown, floor: unknown) => (typeof tickr === 'number' && typeof floor === 'number' && floor > 0 ? Math.round((tickr / floor) * 100) / 100 : null);
  figures.deliveryP99VsFloor = ratio(figures.lastWaiterDelayP99Ms, d.lastP99);
  figures.selloutAllVsFloor = ratio(figures.selloutAllMs, figures.floorSelloutAllMs);
  progress(`floor: head move -> last waiter p50 ${d.lastP50} ms, p99 ${d.lastP99} ms over ${d.headMoves} moves (Tickr p99 ${String(figures.lastWaiterDelayP99Ms)} ms: ${String(figures.deliveryP99VsFloor)}x); sell-out to all ${String(figures.floorSelloutAllMs)} ms`);
  checks.push({ name: 'floor: every waiter heard every move and the sell-out', ok: d.missed === 0 && d.movesPublished > 0 && everyone, detail: `${d.missed} waiters missed a move of ${d.movesPublished}; ${heard}/${connected} heard the sell-out` });
  report.notes.push('floor: bare uWS processes (bench/src/baselines/queue_floor.ts), one per Tickr node, publishing the same tick bytes at the same rate to as many waiters through the same client processes: the delivery this machine allows; Tickr × floor is the ratio to report on a busy machine');
}
