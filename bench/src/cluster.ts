import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ownerOf } from '../../engine/src/cluster/placement.ts';
import { progress } from './progress.ts';
import { startRedis, startTickr, type CpuSample, type RedisServer, type TickrServer } from './server.ts';
import { ApiError } from './tickr_api.ts';
import type { BenchOptions } from './scenarios/index.ts';

/**
 * A Tickr cluster for the bench (scenarios `forward` and `queue --nodes`): a
 * private redis-server and nodes in cluster mode sharing one PostgreSQL (the
 * first node's embedded one, or DATABASE_URL), started, watched until every
 * shard's lease sits where placement puts it, and stopped.
 */

/** Few shards, as in the cluster tests: a spread settles fast and each node has several. */
export const clusterShards = 16;
/** A cluster (re)start settles well within this, or something is wrong. */
export const settleTimeoutMs = 90_000;

export type Member = { nodeId: string; server: TickrServer; up: boolean };

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
  const cluster = new BenchCluster(redis, `tickr-bench-${tag}:`, clusterShards);
  // One secret and one operator for every node: a token minted once is good on any of them; one cluster secret, so they forward to each other.
  const shared = {
    tokenSecret: randomBytes(32).toString('base64url'),
    clusterSecret: randomBytes(32).toString('base64url'),
    operatorPassword: `bench-${crypto.randomUUID()}`,
  };
  const envOf = (nodeId: string): NodeJS.ProcessEnv => ({
    REDIS_URL: redis.url,
    TICKR_REDIS_PREFIX: cluster.prefix,
    TICKR_SHARDS: String(clusterShards),
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
    progress(`cluster of ${settings.nodes} settled in ${ms} ms (${clusterShards} shards, prefix ${cluster.prefix})`);
  } catch (error) {
    await cluster.stop({ keepLog: true });
    throw error;
  }
  return cluster;
}
