import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ownerOf } from '../../../engine/src/cluster/placement.ts';
import { holdTtlMsMax, leaseTtlMsDefault, perBuyerLimitMax } from '../../../engine/src/constants.ts';
import { shardOf } from '../../../engine/src/shards.ts';
import { runOnce, type LoadResult, type LoadSpec } from '../autocannon_run.ts';
import { ParticipantPool } from '../participants.ts';
import { countdown, progress, type Check, type ResultRow, type ScenarioReport } from '../report.ts';
import { cpuSpent, startRedis, startTickr, type CpuSample, type RedisServer, type TickrServer } from '../server.ts';
import { holdBody, holdHeaders, holdLoad, holdPath, stockLeft } from '../hold_requests.ts';
import { ApiError, createEvent, getEvent, signupOrganizer, type EventView } from '../tickr_api.ts';
import { buyersFor } from './holds.ts';
import type { BenchOptions, Scenario } from './index.ts';

/**
 * Scenario `forward`: what it costs to enter the cluster through a node that
 * does not own the event's shard, and how long a shard is out of service when
 * its owner dies.
 *
 * A private redis-server, then `--nodes` nodes (default 2) in cluster mode
 * (REDIS_URL, TICKR_SHARDS=16), sharing one PostgreSQL: the first node's
 * embedded one, or DATABASE_URL. One event; its shard's owner is read from
 * the lease key `<prefix>lease:<shard>` in Redis. Then, in one run:
 *
 * 1. direct: autocannon holds against the owner; forwarded: the same load
 *    against a non-owner, which forwards each hold over the internal port.
 *    Its `tickr_forwarded_total` must grow by about the holds it answered.
 * 2. failover: `--kills` times (default 10, --quick 3), with a light load of
 *    holds through the surviving nodes, `kill -9` the shard's owner, time
 *    the kill to the first hold sent after it that answers 201, restart the
 *    node (same NODE_ID, ports, folder) and wait until every shard has one
 *    owner again. Last, sold + held <= capacity, and no 201 hold lost.
 *
 * Expected numbers, a sketch to compare against, not a measurement: on a
 * 2-core Linux box with autocannon on the same machine at 100 connections,
 * direct holds run near the `holds` scenario's single node, a little lower
 * (a second node, Redis and lease renewals share the cores): ~3-6k req/s,
 * p50 ~10-25 ms, ~200-300 µs of CPU a hold with PostgreSQL counted in.
 * Forwarded holds add, on the entry node, a msgpack frame to the owner and
 * its answer back over loopback TCP (frames batched per event-loop turn),
 * while the owner skips HTTP and the token check: ~+40-120 µs of CPU a hold,
 * so ~0.7-0.9 of the direct rate when the box is CPU-bound (the target is
 * >= 0.6), p50 a few ms higher. Failover: the survivor drops the dead node
 * from placement after its membership TTL (5 s, heartbeats every second),
 * takes the shard once the dead node's lease lapses (TTL 5 s, renewed every
 * ~1.5 s, so it lapses 3.5-5 s after the kill) and loads the event from its
 * snapshot and journal: ~5-7 s from kill to the first 201, median ~5.5 s,
 * max under 2 × TTL = 10 s (the target). Never an oversell, never a lost 201.
 */
export const forward: Scenario = { run };

/** Few shards, as in the cluster tests: a spread settles fast and each node has several. */
export const forwardShards = 16;
/** Long enough that no hold expires during a run, so every 201 is still counted at the end. */
const holdTtlSeconds = holdTtlMsMax / 1000;
const perBuyerLimit = perBuyerLimitMax;
/** A cluster (re)start settles well within this, or something is wrong. */
const settleTimeoutMs = 90_000;
/** Fresh buyers for the light load, per kill: 100 holds each, far more than a kill's worth of light load. */
const lightLoadBuyersPerKill = 100;

export type ForwardSettings = {
  nodes: number;
  kills: number;
  connections: number[];
  durationS: number;
  warmupS: number;
  capacity: number;
  /** TICKR_LEASE_TTL_MS the nodes get (the bench passes its environment on), or the engine's default. */
  leaseTtlMs: number;
  /** The light load during failover: this many clients in a loop, each pausing thinkMs between holds. */
  lightLoops: number;
  thinkMs: number;
  /** A kill with no 201 within this long counts as not recovered. */
  recoveryDeadlineMs: number;
  /** Targets: forwarded/direct req/s at least this; failover at most this many lease TTLs. */
  ratioTarget: number;
  failoverTtls: number;
};

/** The scenario's settings from the command line (and TICKR_LEASE_TTL_MS from the environment). */
export function forwardSettings(opts: BenchOptions, env: NodeJS.ProcessEnv = process.env): ForwardSettings {
  const rawTtl = env.TICKR_LEASE_TTL_MS;
  const leaseTtlMs = rawTtl ? Number(rawTtl) : leaseTtlMsDefault;
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 1_000 || leaseTtlMs > 60_000) {
    throw new Error(`TICKR_LEASE_TTL_MS must be an integer from 1000 to 60000, got "${rawTtl}"`);
  }
  return {
    nodes: opts.nodes ?? 2,
    kills: opts.kills ?? (opts.quick ? 3 : 10),
    connections: opts.connections,
    durationS: opts.durationS,
    warmupS: opts.warmupS,
    capacity: opts.capacity,
    leaseTtlMs,
    lightLoops: 4,
    thinkMs: 25,
    recoveryDeadlineMs: Math.max(60_000, 6 * leaseTtlMs),
    ratioTarget: 0.6,
    failoverTtls: 2,
  };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile (0-100) of `values`, null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export type LightLoadStats = { requests: number; errors: number; non2xx: number; durationS: number; latenciesMs: number[]; statusCodes: Record<string, number>; loops: number };

/**
 * The `failover` row: kill-to-first-201 times (null: no 201 before the
 * deadline), and, in the usual columns, the light load that ran through it
 * (its req/s, latencies and errors, outages included; no CPU figure).
 */
export function failoverRow(timesMs: (number | null)[], leaseTtlMs: number, load: LightLoadStats): ResultRow & Record<string, unknown> {
  const recovered = timesMs.filter((t): t is number => t !== null);
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    name: 'failover',
    rps: load.durationS > 0 ? load.requests / load.durationS : 0,
    p50: percentile(load.latenciesMs, 50) ?? 0,
    p99: percentile(load.latenciesMs, 99) ?? 0,
    errors: load.errors,
    cpuUsPerReq: null,
    non2xx: load.non2xx,
    requests: load.requests,
    connections: load.loops,
    medianMs: round(median(recovered)),
    // A kill that never recovered has no time: the max of the others would flatter it, so there is none.
    maxMs: recovered.length === timesMs.length && recovered.length > 0 ? round(Math.max(...recovered)) : null,
    kills: timesMs.length,
    recovered: recovered.length,
    leaseTtlMs,
    timesMs: timesMs.map(round),
    statusCodes: load.statusCodes,
  };
}

/** The figures that sum a run up: rates against the targets, failover against the lease TTL. */
export function summaryFigures(rows: ResultRow[], failover: ReturnType<typeof failoverRow>, settings: ForwardSettings): ScenarioReport['figures'] {
  const figures: ScenarioReport['figures'] = {};
  for (const c of settings.connections) {
    const direct = rows.find((r) => r.name === 'direct' && r.connections === c);
    const forwarded = rows.find((r) => r.name === 'forwarded' && r.connections === c);
    if (!direct || !forwarded) continue;
    const ratio = direct.rps > 0 ? Math.round((forwarded.rps / direct.rps) * 1000) / 1000 : null;
    figures[`forwarded/direct req/s c=${c}`] = ratio;
    figures[`target forwarded/direct >= ${settings.ratioTarget} c=${c}`] = ratio === null ? 'n/a' : ratio >= settings.ratioTarget ? 'met' : 'MISSED';
  }
  const boundMs = settings.failoverTtls * settings.leaseTtlMs;
  figures['failover median ms'] = failover.medianMs as number | null;
  figures['failover max ms'] = failover.maxMs as number | null;
  figures['failover kills'] = `${failover.recovered} of ${failover.kills} recovered`;
  figures['lease TTL ms'] = settings.leaseTtlMs;
  const max = failover.maxMs as number | null;
  figures[`target failover max <= ${settings.failoverTtls} × TTL = ${boundMs} ms`] = max === null ? 'MISSED (a kill did not recover)' : max <= boundMs ? 'met' : 'MISSED';
  return figures;
}

// ---------------------------------------------------------------------------
// The cluster

type Member = { nodeId: string; server: TickrServer; up: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class BenchCluster {
  readonly members: Member[] = [];
  private client: Redis | null = null;

  constructor(
    readonly redis: RedisServer,
    readonly prefix: string,
    readonly shards: number,
  ) {}

  running(): Member[] {
    return this.members.filter((m) => m.up);
  }

  member(nodeId: string): Member {
    const m = this.members.find((x) => x.nodeId === nodeId);
    if (!m) throw new Error(`no node ${nodeId} in the bench cluster`);
    return m;
  }

  private redisClient(): Redis {
    if (this.client === null) {
      this.client = new Redis(this.redis.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 });
      this.client.on('error', () => {});
    }
    return this.client;
  }

  /** Who holds each shard's lease (`<prefix>lease:<shard>`), null for none. */
  async leases(): Promise<(string | null)[]> {
    return this.redisClient().mget(Array.from({ length: this.shards }, (_, s) => `${this.prefix}lease:${s}`));
  }

  /** What still keeps the cluster from being settled, '' when it is: every lease where placement puts it, every node's /health agreeing. */
  async unsettled(): Promise<string> {
    const ids = this.running().map((m) => m.nodeId);
    const leases = await this.leases();
    for (let shard = 0; shard < this.shards; shard++) {
      const expected = ownerOf(shard, ids);
      if (leases[shard] !== expected) return `shard ${shard}: lease names ${leases[shard]}, placement over [${ids}] says ${expected}`;
    }
    for (const m of this.running()) {
      const owned = await healthOwned(m.server);
      const leased = leases.filter((l) => l === m.nodeId).length;
      if (owned === null) return `${m.nodeId}: no /health`;
      if (owned !== leased) return `${m.nodeId}: /health owns ${owned}, leases name it for ${leased}`;
    }
    return '';
  }

  async settle(what: string): Promise<number> {
    const started = Date.now();
    let problem = 'not checked yet';
    while (Date.now() - started < settleTimeoutMs) {
      problem = await this.unsettled().catch((error: Error) => `could not read the cluster: ${error.message}`);
      if (problem === '') return Date.now() - started;
      await sleep(200);
    }
    throw new Error(`${what}: the cluster did not settle in ${settleTimeoutMs / 1000} s: ${problem} (node logs: ${this.members.map((m) => m.server.logFile).join(', ')})`);
  }

  /** CPU of every running node, and of the embedded PostgreSQL (counted by the node that embeds it). */
  cpu(): Map<string, CpuSample> {
    return new Map(this.running().map((m) => [m.nodeId, m.server.cpu()]));
  }

  /** Nodes last started first (the one that embeds PostgreSQL after those that use it), then Redis. */
  async stop(opts: { keepLog?: boolean } = {}): Promise<void> {
    this.client?.disconnect();
    this.client = null;
    for (const m of [...this.members].reverse()) {
      await m.server.stop(opts).catch((error: Error) => progress(`stopping ${m.nodeId}: ${error.message}`));
      m.up = false;
    }
    await this.redis.stop();
  }
}

async function healthOwned(server: TickrServer): Promise<number | null> {
  try {
    const response = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { shards?: { owned?: unknown } };
    return typeof body.shards?.owned === 'number' ? body.shards.owned : null;
  } catch {
    return null;
  }
}

/** `tickr_forwarded_total` of one node, from its /metrics. */
export async function forwardedTotal(server: { url: string }): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  const match = /^tickr_forwarded_total (\d+)/m.exec(text);
  if (!match) throw new ApiError(`GET /metrics of ${server.url} has no tickr_forwarded_total`, response.status, text.slice(0, 300));
  return Number(match[1]);
}

/** `extraEnv` goes to every node, after the cluster's own settings. */
export async function startBenchCluster(settings: { nodes: number }, opts: BenchOptions, tag: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<BenchCluster> {
  progress('starting a private redis-server');
  const redis = await startRedis();
  const cluster = new BenchCluster(redis, `tickr-bench-${tag}:`, forwardShards);
  // One secret and one operator for every node: a token minted once is good on any of them; one cluster secret, so they forward to each other.
  const shared = {
    tokenSecret: randomBytes(32).toString('base64url'),
    clusterSecret: randomBytes(32).toString('base64url'),
    operatorPassword: `bench-${crypto.randomUUID()}`,
  };
  const envOf = (nodeId: string): NodeJS.ProcessEnv => ({
    REDIS_URL: redis.url,
    TICKR_REDIS_PREFIX: cluster.prefix,
    TICKR_SHARDS: String(forwardShards),
    NODE_ID: nodeId,
    TICKR_TOKEN_SECRET: shared.tokenSecret,
    TICKR_CLUSTER_SECRET: shared.clusterSecret,
    TICKR_OPERATOR_EMAIL: 'operator@bench.tickr.test',
    TICKR_OPERATOR_PASSWORD: shared.operatorPassword,
    ...extraEnv,
  });
  const launch = async (nodeId: string, databaseUrl: string | undefined) => {
    const server = await startTickr({ ...(databaseUrl ? { databaseUrl } : {}), extraEnv: envOf(nodeId) });
    cluster.members.push({ nodeId, server, up: true });
    progress(`${nodeId} up at ${server.url} (pid ${server.pid}, internal port ${server.spec.internalPort}, log ${server.logFile})`);
  };
  try {
    progress(`starting n1 (${opts.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL, shared with the other nodes'})`);
    await launch('n1', opts.databaseUrl);
    const databaseUrl = cluster.members[0]!.server.databaseUrl;
    // Two at a time: more tsx start-ups at once on a small box only take longer each.
    for (let i = 2; i <= settings.nodes; i += 2) {
      const ids = [i, i + 1].filter((n) => n <= settings.nodes).map((n) => `n${n}`);
      progress(`starting ${ids.join(', ')}`);
      await Promise.all(ids.map((id) => launch(id, databaseUrl)));
    }
    const ms = await cluster.settle('cluster start');
    progress(`cluster of ${settings.nodes} settled in ${ms} ms (${forwardShards} shards, prefix ${cluster.prefix})`);
  } catch (error) {
    await cluster.stop({ keepLog: true });
    throw error;
  }
  return cluster;
}

// ---------------------------------------------------------------------------
// The run

type Setup = {
  cluster: BenchCluster;
  settings: ForwardSettings;
  eventId: string;
  typeId: string;
  shard: number;
  pool: ParticipantPool;
  tag: string;
  firstHoldAt: number;
  buyerSetupMs: number;
  /** Holds answered 201, in every phase: each must still be counted at the end. */
  acknowledged: number;
  refused: number;
};

async function run(opts: BenchOptions): Promise<ScenarioReport> {
  const settings = forwardSettings(opts);
  const tag = Date.now().toString(36);
  const cluster = await startBenchCluster(settings, opts, tag);
  const checks: Check[] = [];
  const notes: string[] = [];
  const results: ResultRow[] = [];
  let figures: ScenarioReport['figures'] = {};
  try {
    const first = cluster.members[0]!.server;
    if (first.embeddedPostgres && !first.postgresFound) notes.push('the embedded PostgreSQL was not found under the data folder: its CPU is not counted');
    if (!first.embeddedPostgres) notes.push('PostgreSQL from DATABASE_URL: its CPU is not counted in CPU µs/req');
    const setup = await prepare(cluster, settings, tag);
    const ownerId = await ownerOfShard(setup);
    const owner = cluster.member(ownerId);
    const entry = cluster.running().find((m) => m.nodeId !== ownerId)!;
    progress(`event ${setup.eventId}: shard ${setup.shard}, owned by ${ownerId}; forwarded holds enter through ${entry.nodeId}`);
    await preflight(setup, owner, 'direct');
    await preflight(setup, entry, 'forwarded');

    for (const connections of settings.connections) {
      const direct = await measureHolds(setup, 'direct', owner, owner, connections, notes);
      const forwarded = await measureHolds(setup, 'forwarded', entry, owner, connections, notes);
      results.push(direct.row, forwarded.row);
      checks.push(forwardedCheck(forwarded.row, connections), ownerForwardedNothing(direct.row, owner.nodeId, connections));
    }

    const failover = await measureFailover(setup);
    const row = failoverRow(failover.timesMs, settings.leaseTtlMs, failover.load);
    results.push(row);
    const recovered = row.recovered as number;
    checks.push({
      name: 'every kill recovered',
      ok: recovered === settings.kills,
      detail: `${recovered} of ${settings.kills} kills answered a 201 hold through another node within ${settings.recoveryDeadlineMs / 1000} s`,
    });
    checks.push(...(await checkInventory(setup)));
    checks.push({ name: 'every minted token accepted', ok: setup.refused === 0, detail: `${setup.refused} holds answered 401 in the measured runs` });
    figures = summaryFigures(results, row, settings);
    figures['event shard'] = `${setup.shard} of ${forwardShards}, owner ${ownerId}, forwarded through ${entry.nodeId}`;
    figures.nodes = settings.nodes;
    figures.buyers = setup.pool.size;
    figures.buyerSetupMs = setup.buyerSetupMs;
    notes.push(
      'direct/forwarded CPU µs/req: every node process (and what runs below it) plus the embedded PostgreSQL; the JSON rows split it by node (nodeCpuUsPerReq)',
      `failover row: req/s, p50/p99, errors and non-2xx are the light load's (${settings.lightLoops} clients, ${settings.thinkMs} ms pause) through the surviving nodes over all kills, outages included; the failover times are medianMs/maxMs/timesMs`,
    );
  } catch (error) {
    progress(`stopping the cluster; the node logs stay at ${cluster.members.map((m) => m.server.logFile).join(', ')}`);
    await cluster.stop({ keepLog: true });
    throw error;
  }
  progress('stopping the cluster');
  await cluster.stop();
  return { scenario: 'forward', results, checks, figures, notes };
}

async function prepare(cluster: BenchCluster, settings: ForwardSettings, tag: string): Promise<Setup> {
  const via = cluster.members[0]!.server;
  const organizer = await signupOrganizer(via.url, tag);
  const event = await createEvent(via.url, organizer, {
    name: `Bench forward ${tag}`,
    venue: 'bench',
    startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    currency: 'EUR',
    perBuyerLimit,
    holdTtlSeconds,
    ticketTypes: [{ name: 'GA', price: 5000, capacity: settings.capacity }],
  });
  return {
    cluster,
    settings,
    eventId: event.id,
    typeId: event.ticketTypes[0]!.id,
    shard: shardOf(event.id, forwardShards),
    // Buyers straight into the shared PostgreSQL, tokens minted with the cluster's secret: see participants.ts.
    pool: new ParticipantPool(via, tag),
    tag,
    firstHoldAt: Date.now(),
    buyerSetupMs: 0,
    acknowledged: 0,
    refused: 0,
  };
}

/** The node named by the lease of the event's shard; waits for one (a lease may be changing hands). */
async function ownerOfShard(setup: Setup): Promise<string> {
  const deadline = Date.now() + settleTimeoutMs;
  for (;;) {
    const holder = (await setup.cluster.leases())[setup.shard] ?? null;
    if (holder !== null && setup.cluster.running().some((m) => m.nodeId === holder)) return holder;
    if (Date.now() > deadline) throw new Error(`no running node holds the lease of shard ${setup.shard} (it names ${holder})`);
    await sleep(100);
  }
}

async function takeBuyers(setup: Setup, count: number): Promise<string[]> {
  const started = Date.now();
  const tokens = await setup.pool.take(count);
  setup.buyerSetupMs += Date.now() - started;
  return tokens;
}

/** One hold by hand through `via`: a token the node refuses, or forwarding that does not work, fails here with its own message. */
async function preflight(setup: Setup, via: Member, what: string): Promise<void> {
  const [token] = await takeBuyers(setup, 1);
  const response = await fetch(`${via.server.url}${holdPath(setup)}`, { method: 'POST', headers: holdHeaders(token!, `${setup.tag}-preflight-${what}`), body: holdBody(setup) });
  const text = await response.text();
  if (response.status !== 201) {
    const why = response.status === 401 ? 'the node refused a token minted by the bench' : `POST ${holdPath(setup)} answered ${response.status}`;
    throw new ApiError(`preflight ${what} hold through ${via.nodeId}: ${why}: ${text.slice(0, 300)}`, response.status, text);
  }
  setup.acknowledged++;
}

function cpuPerRequest(before: Map<string, CpuSample>, after: Map<string, CpuSample>, requests: number) {
  let total = 0;
  let postgres = 0;
  let measurable = false;
  const byNode: Record<string, number | null> = {};
  for (const [nodeId, b] of before) {
    const a = after.get(nodeId);
    if (!a) continue;
    const spent = cpuSpent(b, a);
    measurable ||= b.processUs > 0;
    total += spent.totalUs;
    postgres += spent.postgresUs;
    byNode[nodeId] = requests > 0 ? Math.round(((spent.processUs + spent.otherUs) / requests) * 10) / 10 : null;
  }
  const per = (us: number) => (measurable && requests > 0 ? us / requests : null);
  return { total: per(total), postgres: per(postgres), byNode: measurable ? byNode : {} };
}

/** Warm-up, then the measured run on fresh buyers, holds sent to `via`; CPU of every node and the forwarded counters around the measured part. */
async function measureHolds(setup: Setup, name: 'direct' | 'forwarded', via: Member, owner: Member, connections: number, notes: string[]): Promise<{ row: ResultRow & Record<string, unknown> }> {
  const { settings, cluster } = setup;
  const spec = (tokens: string[], runTag: string, durationS: number): LoadSpec =>
    holdLoad(via.server.url, setup, { tokens, keyPrefix: `${setup.tag}-${runTag}`, connections, durationS });
  const left = () => stockLeft(via.server.url, setup, settings.capacity);
  const forWarm = buyersFor({ observedRps: null, durationS: settings.warmupS, available: await left(), connections, alreadyMade: setup.pool.size });
  const warmTokens = await takeBuyers(setup, forWarm.buyers);
  progress(`${name} c=${connections} via ${via.nodeId}: ${forWarm.buyers} buyers; ${settings.warmupS} s warm-up`);
  const warm = settings.warmupS > 0 ? await runOnce(spec(warmTokens, `${name}-w${connections}`, settings.warmupS)) : null;
  if ((warm?.statusCodes['401'] ?? 0) > 0) throw new ApiError(`${name} warm-up: ${via.nodeId} refused ${warm!.statusCodes['401']} holds with 401: it does not accept the tokens the bench minted`, 401, '');
  setup.acknowledged += warm?.statusCodes['201'] ?? 0;
  const sized = buyersFor({ observedRps: warm?.rps ?? null, durationS: settings.durationS, available: await left(), connections, alreadyMade: setup.pool.size });
  if (sized.capped) notes.push(`${name} c=${connections}: buyers capped: past ${sized.buyers * perBuyerLimit} holds, answers are 409 limit_reached`);
  const tokens = await takeBuyers(setup, sized.buyers);
  progress(`${name} c=${connections}: ${sized.buyers} buyers (warm-up ran ${Math.round(warm?.rps ?? 0)} req/s); ${settings.durationS} s measured`);

  const [viaBefore, ownerBefore] = await Promise.all([forwardedTotal(via.server), forwardedTotal(owner.server)]);
  const done = countdown(`${name} c=${connections}`, settings.durationS);
  const cpuBefore = cluster.cpu();
  let load: LoadResult;
  let cpuAfter: Map<string, CpuSample>;
  try {
    load = await runOnce(spec(tokens, `${name}-m${connections}`, settings.durationS));
    cpuAfter = cluster.cpu();
  } finally {
    done();
  }
  const [viaAfter, ownerAfter] = await Promise.all([forwardedTotal(via.server), forwardedTotal(owner.server)]);
  setup.acknowledged += load.statusCodes['201'] ?? 0;
  setup.refused += load.statusCodes['401'] ?? 0;
  const cpu = cpuPerRequest(cpuBefore, cpuAfter, load.requests);
  const others = Object.entries(load.statusCodes).filter(([code]) => code !== '201');
  if (others.length > 0) notes.push(`${name} c=${connections} answers other than 201: ${others.map(([code, n]) => `${code}×${n}`).join(', ')}`);
  progress(`${name} c=${connections}: ${Math.round(load.rps)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, errors ${load.errors}, non-2xx ${load.non2xx}, CPU ${cpu.total === null ? 'n/a' : Math.round(cpu.total)} µs/req`);
  const row: ResultRow & Record<string, unknown> = {
    name,
    rps: load.rps,
    p50: load.p50,
    p99: load.p99,
    errors: load.errors,
    cpuUsPerReq: cpu.total,
    non2xx: load.non2xx,
    requests: load.requests,
    connections,
    pgCpuUsPerReq: cluster.members[0]!.server.postgresFound ? cpu.postgres : null,
    statusCodes: load.statusCodes,
    timeline: load.timeline,
    latency: load.latency,
    via: via.nodeId,
    owner: owner.nodeId,
    nodeCpuUsPerReq: cpu.byNode,
    // tickr_forwarded_total growth during the measured run: on the node the holds went to, and on the owner when that is another.
    forwardedViaNode: viaAfter - viaBefore,
    ...(via === owner ? {} : { forwardedByOwner: ownerAfter - ownerBefore }),
  };
  return { row };
}

/**
 * Forwarded: the entry node's counter grew by about the holds answered. A
 * hold still in flight when autocannon stops was forwarded but is not counted
 * as answered, so up to one per connection more (and a little slack).
 */
export function forwardedCheck(row: ResultRow & Record<string, unknown>, connections: number): Check {
  const grew = row.forwardedViaNode as number;
  const answered = row.requests ?? 0;
  const low = Math.floor(answered * 0.99);
  const high = answered + connections + Math.ceil(answered * 0.01);
  return {
    name: `tickr_forwarded_total counts the forwarded holds (c=${connections})`,
    ok: grew >= low && grew <= high,
    detail: `${row.via} forwarded ${grew} commands during the run; ${answered} holds answered (expected ${low}..${high})`,
  };
}

export function ownerForwardedNothing(row: ResultRow & Record<string, unknown>, ownerId: string, connections: number): Check {
  const grew = row.forwardedViaNode as number;
  return { name: `the owner forwards no direct hold (c=${connections})`, ok: grew === 0, detail: `${ownerId}'s tickr_forwarded_total grew by ${grew} during the direct run` };
}

/**
 * Light load for the failover phase: `loops` clients, each sending a hold to
 * one of `targets` in turn, pausing thinkMs between answers. It remembers
 * the first 201 of a hold sent at or after the instant it is told to watch from.
 */
class LightLoad {
  targets: Member[] = [];
  tokens: string[] = [];
  private seq = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private startedAt = 0;
  private stoppedAt = 0;
  readonly latenciesMs: number[] = [];
  readonly statusCodes: Record<string, number> = {};
  errors = 0;
  answered = 0;
  acknowledged = 0;
  private watchFrom = Infinity;
  private firstOkAt: number | null = null;
  private onOk: (() => void) | null = null;
  /** What came back during the watch, for the progress line. */
  watchCodes: Record<string, number> = {};

  constructor(
    private readonly setup: Setup,
    private readonly thinkMs: number,
  ) {}

  start(loops: number): void {
    this.startedAt = performance.now();
    this.loops = Array.from({ length: loops }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const targets = this.targets;
      if (targets.length === 0 || this.tokens.length === 0) {
        await sleep(this.thinkMs);
        continue;
      }
      const seq = this.seq++;
      const target = targets[seq % targets.length]!;
      const token = this.tokens[seq % this.tokens.length]!;
      const sentAt = performance.now();
      let code: string;
      try {
        const response = await fetch(`${target.server.url}${holdPath(this.setup)}`, {
          method: 'POST',
          headers: holdHeaders(token, `${this.setup.tag}-light-${seq}`),
          body: holdBody(this.setup),
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        code = String(response.status);
        this.answered++;
        this.latenciesMs.push(performance.now() - sentAt);
        this.statusCodes[code] = (this.statusCodes[code] ?? 0) + 1;
      } catch {
        code = 'no answer';
        this.errors++;
      }
      if (code === '201') this.acknowledged++;
      if (sentAt >= this.watchFrom) {
        this.watchCodes[code] = (this.watchCodes[code] ?? 0) + 1;
        if (code === '201' && this.firstOkAt === null) {
          this.firstOkAt = performance.now();
          this.onOk?.();
        }
      }
      await sleep(this.thinkMs);
    }
  }

  /** From `from` (performance.now()) on, wait for a 201 of a hold sent then or later; its answer's time, or null after deadlineMs. */
  async firstOkSince(from: number, deadlineMs: number): Promise<number | null> {
    this.watchFrom = from;
    this.firstOkAt = null;
    this.watchCodes = {};
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onOk = resolve;
      timer = setTimeout(resolve, Math.max(0, from + deadlineMs - performance.now()));
    });
    clearTimeout(timer);
    this.onOk = null;
    this.watchFrom = Infinity;
    return this.firstOkAt;
  }

  async stop(): Promise<LightLoadStats> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.stoppedAt = performance.now();
    return {
      requests: this.answered,
      errors: this.errors,
      non2xx: Object.entries(this.statusCodes).filter(([code]) => !code.startsWith('2')).reduce((n, [, c]) => n + c, 0),
      durationS: (this.stoppedAt - this.startedAt) / 1000,
      latenciesMs: this.latenciesMs,
      statusCodes: this.statusCodes,
      loops: this.loops.length,
    };
  }
}

async function measureFailover(setup: Setup): Promise<{ timesMs: (number | null)[]; load: LightLoadStats }> {
  const { cluster, settings } = setup;
  const light = new LightLoad(setup, settings.thinkMs);
  const timesMs: (number | null)[] = [];
  let load: LightLoadStats;
  progress(`failover: ${settings.kills} kills of the owner of shard ${setup.shard}, lease TTL ${settings.leaseTtlMs} ms, light load of ${settings.lightLoops} clients`);
  light.start(settings.lightLoops);
  try {
    for (let k = 1; k <= settings.kills; k++) {
      light.tokens = await takeBuyers(setup, lightLoadBuyersPerKill);
      const victimId = await ownerOfShard(setup);
      const victim = cluster.member(victimId);
      light.targets = cluster.running().filter((m) => m !== victim);
      // Some load through the survivors first, and the kill at a random point of the lease's renewal cycle.
      await sleep(500 + Math.random() * 1_000);
      const killedAt = performance.now();
      await victim.server.crash();
      victim.up = false;
      const okAt = await light.firstOkSince(killedAt, settings.recoveryDeadlineMs);
      const ms = okAt === null ? null : okAt - killedAt;
      timesMs.push(ms);
      const codes = Object.entries(light.watchCodes).map(([c, n]) => `${c}×${n}`).join(', ');
      progress(`kill ${k}/${settings.kills}: ${victimId} killed; ${ms === null ? `NO 201 within ${settings.recoveryDeadlineMs / 1000} s` : `first 201 through ${light.targets.map((m) => m.nodeId).join('/')} after ${Math.round(ms)} ms`} (answers meanwhile: ${codes})`);
      const restartedAt = Date.now();
      victim.server = await startTickr({ spec: victim.server.spec });
      victim.up = true;
      const settleMs = await cluster.settle(`after restarting ${victimId}`);
      progress(`${victimId} restarted (pid ${victim.server.pid}) and the cluster settled in ${Date.now() - restartedAt} ms (settle ${settleMs} ms)`);
    }
  } finally {
    load = await light.stop();
    setup.acknowledged += light.acknowledged;
  }
  return { timesMs, load };
}

/** After everything: never more out than capacity, and every hold answered 201 still counted. */
async function checkInventory(setup: Setup): Promise<Check[]> {
  let event: EventView | null = null;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const via = setup.cluster.running()[0]!;
    try {
      event = await getEvent(via.server.url, setup.eventId);
      break;
    } catch (error) {
      // 503: the shard is between owners for a moment.
      if (!(error instanceof ApiError) || error.status !== 503 || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
  const checks: Check[] = [];
  for (const type of event.ticketTypes) {
    const out = type.sold + type.held;
    checks.push({ name: `no oversell (${type.name ?? type.id})`, ok: out <= type.capacity, detail: `sold ${type.sold} + held ${type.held} = ${out} <= capacity ${type.capacity}` });
  }
  const type = event.ticketTypes.find((t) => t.id === setup.typeId);
  const expiredMaybe = Date.now() - setup.firstHoldAt >= holdTtlSeconds * 1000;
  if (type && !expiredMaybe && type.capacity > setup.acknowledged) {
    const out = type.sold + type.held;
    // More than acknowledged is fine (a request that timed out, or died with a node, may still have placed its hold); fewer lost one.
    checks.push({ name: 'no acknowledged hold lost', ok: out >= setup.acknowledged, detail: `sold + held ${out} >= ${setup.acknowledged} holds answered 201, kills included` });
  }
  for (const check of checks) progress(`${check.ok ? 'ok' : 'FAIL'} ${check.name}: ${check.detail}`);
  return checks;
}
