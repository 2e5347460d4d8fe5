import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { ownerOf } from '../cluster/placement.ts';
import { startEmbeddedPostgres, type EmbeddedDb } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { createPool, type Db } from '../db/pool.ts';
import { signIn, signUp, type SignUpRole, type TestAccount } from './accounts.ts';
import { createEvent as createKitEvent, type CreatedEvent, type TicketTypeSpec } from './events.ts';
import type { Answer, Call } from './http.ts';
import { spawnNode, testClusterSecret, type NodeProcess } from './node_process.ts';
import { freePort } from './ports.ts';
import { freshDatabase, type TestDatabase } from './db.ts';
import { clearRedisPrefix, testRedisPrefix, testRedisUrl } from './redis.ts';

/*
 * Several real nodes on one database and one Redis, for the cluster tests
 * (test/cluster). Everything here reads the cluster from the outside, the way
 * an operator would: lease keys in Redis, `shard_epochs` and the journal in
 * Postgres, /health of each node, and the HTTP API.
 */

/** Few shards, so a spread settles fast and every node gets several. */
export const clusterShards = 16;
/** The operator every cluster node upserts at start (confirmations need one). */
export const clusterOperator = { email: 'operator@cluster.tickr', password: 'operator-password-1' };
/** Lease TTL of a node that is not told otherwise (the contract's default). */
export const defaultLeaseTtlMs = 5_000;

export type NodeState = 'running' | 'paused' | 'gone';

export type ClusterNode = NodeProcess & { nodeId: string; internalPort: number; state: NodeState };

export type ClusterOptions = {
  nodes: number;
  dbUrl: string;
  redisUrl: string;
  /** Key prefix of this cluster in Redis (TICKR_REDIS_PREFIX), e.g. testRedisPrefix(). */
  prefix: string;
  /** Added to (and overriding) every node's environment. TICKR_LEASE_TTL_MS here sets `leaseTtlMs`. */
  env?: Record<string, string>;
  shards?: number;
};

export type Health = { status: number; owned: number; total: number };

export type Cluster = {
  /** Every node started, in start order (n1, n2, ...), including those stopped since. */
  nodes: ClusterNode[];
  shards: number;
  leaseTtlMs: number;
  prefix: string;
  redisUrl: string;
  dbUrl: string;
  /** Nodes neither paused nor gone. */
  running: () => ClusterNode[];
  /** A running node at random. */
  any: () => ClusterNode;
  node: (nodeId: string) => ClusterNode;
  /** Starts one more node (n<k+1>) with the same settings. */
  add: () => Promise<ClusterNode>;
  /** SIGTERM (a graceful leave), waiting for the exit. */
  stop: (node: ClusterNode) => Promise<void>;
  owners: () => Promise<Map<number, string | null>>;
  /** Each running node's last words, for failure messages. */
  output: (tail?: number) => string;
  /** Resumes paused nodes and SIGKILLs every node still there. */
  close: () => Promise<void>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `nodes` real node processes in cluster mode (REDIS_URL set), in parallel. */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const shards = opts.shards ?? clusterShards;
  const env = clusterEnv(opts, shards);
  const leaseTtlMs = env.TICKR_LEASE_TTL_MS ? Number(env.TICKR_LEASE_TTL_MS) : defaultLeaseTtlMs;
  const nodes: ClusterNode[] = [];
  let started = 0;

  const launch = async (): Promise<ClusterNode> => {
    const nodeId = `n${++started}`;
    const internalPort = await freePort();
    const child = await spawnNode({ dbUrl: opts.dbUrl, env: { ...env, NODE_ID: nodeId, TICKR_INTERNAL_PORT: String(internalPort) } });
    const node: ClusterNode = Object.assign(child, { nodeId, internalPort, state: 'running' as NodeState });
    child.child.once('exit', () => (node.state = 'gone'));
    nodes.push(node);
    return node;
  };

  const cluster: Cluster = {
    nodes,
    shards,
    leaseTtlMs,
    prefix: opts.prefix,
    redisUrl: opts.redisUrl,
    dbUrl: opts.dbUrl,
    running: () => nodes.filter((n) => n.state === 'running'),
    any: () => {
      const running = cluster.running();
      if (running.length === 0) throw new Error('no node of the cluster is running');
      return running[Math.floor(Math.random() * running.length)]!;
    },
    node: (nodeId) => {
      const node = nodes.find((n) => n.nodeId === nodeId);
      if (!node) throw new Error(`no node ${nodeId} in this cluster`);
      return node;
    },
    add: launch,
    stop: stopNode,
    owners: () => owners(opts.redisUrl, opts.prefix, shards),
    output: (tail = Number(process.env.TICKR_CLUSTER_OUTPUT_TAIL) || 3_000) =>
      nodes.map((n) => `----- ${n.nodeId} (${n.state}, port ${n.port}) -----\n${n.output().slice(-tail)}`).join('\n'),
    close: () => closeNodes(nodes),
  };
  try {
    // Two at a time: on a 2-core box, more tsx start-ups at once only take longer each.
    for (let i = 0; i < opts.nodes; i += 2) await Promise.all(Array.from({ length: Math.min(2, opts.nodes - i) }, () => launch()));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

/** The environment of every node of a cluster. */
function clusterEnv(opts: ClusterOptions, shards: number): Record<string, string> {
  return {
    REDIS_URL: opts.redisUrl,
    TICKR_REDIS_PREFIX: opts.prefix,
    TICKR_SHARDS: String(shards),
    TICKR_WORKERS: '1',
    TICKR_TOKEN_SECRET: 'cluster-test-secret-cluster-test-secret-01',
    // One cluster secret for every node: they authenticate each other on the internal port.
    TICKR_CLUSTER_SECRET: testClusterSecret,
    TICKR_OPERATOR_EMAIL: clusterOperator.email,
    TICKR_OPERATOR_PASSWORD: clusterOperator.password,
    ...opts.env,
  };
}

/** SIGTERM (a graceful leave), SIGKILL if it has not left after 30 s. */
async function stopNode(node: ClusterNode): Promise<void> {
  const force = setTimeout(() => node.child.kill('SIGKILL'), 30_000);
  await node.kill('SIGTERM');
  clearTimeout(force);
  node.state = 'gone';
}

/** Resumes paused nodes and SIGKILLs every node still there. */
async function closeNodes(nodes: ClusterNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if (n.state === 'paused') resume(n);
      await n.kill('SIGKILL');
      n.state = 'gone';
    }),
  );
}

export function pause(node: ClusterNode): void {
  node.child.kill('SIGSTOP');
  node.state = 'paused';
}

export function resume(node: ClusterNode): void {
  node.child.kill('SIGCONT');
  if (node.state === 'paused') node.state = 'running';
}

export async function kill9(node: ClusterNode): Promise<void> {
  await node.kill('SIGKILL');
  node.state = 'gone';
}

/** Who holds each shard's lease (`<prefix>lease:<shard>`), null for none. Rejects if Redis cannot be read now. */
export async function owners(redisUrl: string, prefix: string, shards: number): Promise<Map<number, string | null>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000, commandTimeout: 1_000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const values = await redis.mget(Array.from({ length: shards }, (_, s) => `${prefix}lease:${s}`));
    return new Map(values.map((v, s) => [s, v]));
  } finally {
    redis.disconnect();
  }
}

/** `shard_epochs` of the first `shards` shards. */
export async function epochs(db: Db, shards: number): Promise<Map<number, { epoch: number; owner: string | null }>> {
  const { rows } = await db.query<{ shard: number; epoch: number; owner: string | null }>('SELECT shard, epoch, owner FROM shard_epochs WHERE shard < $1', [shards]);
  return new Map(rows.map((r) => [r.shard, { epoch: r.epoch, owner: r.owner }]));
}

/** A node's /health (any status: a node without shards may answer 503), or null if it does not answer. */
export async function health(node: ClusterNode, timeoutMs = 2_000): Promise<Health | null> {
  try {
    const answer = await request(node, 'GET', '/health', { timeoutMs });
    const shards = answer.body?.shards;
    if (typeof shards?.owned !== 'number') return null;
    return { status: answer.status, owned: shards.owned, total: shards.total };
  } catch {
    return null;
  }
}

/**
 * Waits until the cluster has settled: every shard's lease names the node
 * rendezvous placement gives it among the running nodes (so exactly one
 * owner, and a live one), each running node's /health owns exactly the
 * shards whose lease names it, and, given `db`, `shard_epochs.owner` agrees.
 * Returns the leases. Throws with what still disagreed and the nodes' output.
 */
export async function waitForSpread(cluster: Cluster, opts: { db?: Db; timeoutMs?: number } = {}): Promise<Map<number, string>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let problem = 'not checked yet';
  for (;;) {
    try {
      problem = await spreadProblem(cluster, opts.db);
      if (problem === '') return (await cluster.owners()) as Map<number, string>;
    } catch (error) {
      problem = `could not read the cluster: ${(error as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`the cluster did not settle in time: ${problem}\n${cluster.output()}`);
    await sleep(200);
  }
}

async function spreadProblem(cluster: Cluster, db?: Db): Promise<string> {
  const running = cluster.running();
  const ids = running.map((n) => n.nodeId);
  if (ids.length === 0) return 'no node is running';
  const leases = await cluster.owners();
  for (let shard = 0; shard < cluster.shards; shard++) {
    const holder = leases.get(shard) ?? null;
    const expected = ownerOf(shard, ids);
    if (holder !== expected) return `shard ${shard}: lease names ${holder}, placement over [${ids}] says ${expected}`;
  }
  for (const node of running) {
    const h = await health(node);
    const leased = [...leases.values()].filter((v) => v === node.nodeId).length;
    if (h === null) return `${node.nodeId}: no /health`;
    if (h.owned !== leased) return `${node.nodeId}: /health owns ${h.owned}, leases name it for ${leased}`;
  }
  if (db) {
    const rows = await epochs(db, cluster.shards);
    for (const [shard, holder] of leases) {
      if (rows.get(shard)?.owner !== holder) return `shard ${shard}: shard_epochs.owner ${rows.get(shard)?.owner}, lease ${holder}`;
    }
  }
  return '';
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** One HTTP call to one node, with a deadline (a paused node would otherwise hold the caller forever). Rejects on transport errors. */
export async function request(
  node: { url: string },
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Plain text answers (metrics) stay strings.
  }
  return { status: response.status, body };
}

/** Calls through random running nodes until an answer other than 503 (or a transport error) comes, or the deadline. */
export async function requestAny(cluster: Cluster, method: string, path: string, opts: Parameters<typeof request>[3] & { deadlineMs?: number } = {}): Promise<Answer> {
  const deadline = Date.now() + (opts.deadlineMs ?? 20_000);
  let last: Answer | Error = new Error('no attempt');
  for (;;) {
    try {
      last = await request(cluster.any(), method, path, { timeoutMs: 5_000, ...opts });
      if (last.status !== 503 && last.status !== 502 && last.status !== 504) return last;
    } catch (error) {
      last = error as Error;
    }
    if (Date.now() > deadline) {
      if (last instanceof Error) throw last;
      return last;
    }
    await sleep(100);
  }
}

/** The kit's calls through any running node of `cluster` (requestAny: a node that answers 503 is tried again elsewhere). */
export function clusterCall(cluster: Cluster): Call {
  return (method, path, opts = {}) => requestAny(cluster, method, path, { ...opts, timeoutMs: 15_000 });
}

/** Signs up through any node (a retried sign-up that had made the account signs in to it). */
export function signup(cluster: Cluster, role: SignUpRole, name: string = role): Promise<TestAccount> {
  return signUp(clusterCall(cluster), role, { name, signInIfTaken: true });
}

export async function signinOperator(cluster: Cluster): Promise<string> {
  return (await signIn(clusterCall(cluster), clusterOperator)).token;
}

export type TypeSpec = TicketTypeSpec;

export async function createEvent(cluster: Cluster, token: string, ticketTypes: TypeSpec[], perBuyerLimit = 100): Promise<CreatedEvent & { capacities: Map<string, number> }> {
  const event = await createKitEvent(clusterCall(cluster), token, { name: 'Cluster drop', perBuyerLimit, ticketTypes });
  return { ...event, capacities: new Map(event.typeIds.map((id, i) => [id, ticketTypes[i]!.capacity])) };
}

export type HeldRecord = { holdId: string; key: string; token: string; typeId: string; quantity: number; via: string };

/**
 * Holds and operator confirmations from `loops` concurrent clients, each
 * request to a node picked at random among the running ones. Records every
 * acknowledged (2xx) hold and confirmation; nothing else constrains the
 * outcome (an unanswered request may or may not have happened).
 */
export function startLoad(opts: {
  cluster: Cluster;
  eventId: string;
  typeIds: string[];
  buyers: { token: string }[];
  operatorToken: string;
  loops?: number;
  /** Confirm every n-th acknowledged hold. */
  confirmEvery?: number;
  thinkMs?: number;
}) {
  const { cluster } = opts;
  const tally = newTally();
  let stopped = false;
  const hold = (node: ClusterNode, buyer: { token: string }, typeId: string, quantity: number, timeoutMs = 15_000): Promise<Answer | null> =>
    holdVia(tally, opts.eventId, node, buyer, typeId, quantity, timeoutMs);
  const confirm = (node: ClusterNode, holdId: string, timeoutMs = 15_000): Promise<Answer | null> => confirmVia(tally, opts.operatorToken, node, holdId, timeoutMs);

  const loop = async (i: number) => {
    const buyer = opts.buyers[i % opts.buyers.length]!;
    for (let n = 0; !stopped; n++) {
      const typeId = opts.typeIds[n % opts.typeIds.length]!;
      const answer = await hold(cluster.any(), buyer, typeId, 1 + (n % 3));
      if (answer?.status === 201 && n % (opts.confirmEvery ?? 2) === 0 && !stopped) await confirm(cluster.any(), answer.body.holdId);
      if (answer === null || answer.status >= 500) await sleep(100);
      else if (opts.thinkMs) await sleep(opts.thinkMs);
    }
  };
  const loops = Array.from({ length: opts.loops ?? 12 }, (_, i) => loop(i));

  return {
    held: tally.held,
    confirmed: tally.confirmed,
    confirmSent: tally.confirmSent,
    holdVia: hold,
    confirmVia: confirm,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
    summary: () => loadSummary(tally),
  };
}

/** What a load recorded: acknowledged holds and confirmations, and every answer by kind. */
type LoadTally = {
  held: Map<string, HeldRecord>;
  confirmed: Map<string, string[]>;
  /** Confirmations sent: answered 200 or not, either outcome is correct for those not answered. */
  confirmSent: Set<string>;
  statuses: Map<string, number>;
  byNode: Map<string, number>;
  transportErrors: number;
};

function newTally(): LoadTally {
  return { held: new Map(), confirmed: new Map(), confirmSent: new Set(), statuses: new Map(), byNode: new Map(), transportErrors: 0 };
}

function count(tally: LoadTally, what: string): void {
  tally.statuses.set(what, (tally.statuses.get(what) ?? 0) + 1);
}

async function holdVia(tally: LoadTally, eventId: string, node: ClusterNode, buyer: { token: string }, typeId: string, quantity: number, timeoutMs: number): Promise<Answer | null> {
  const key = randomUUID();
  try {
    const answer = await request(node, 'POST', `/api/events/${eventId}/holds`, { token: buyer.token, body: { typeId, quantity }, headers: { 'idempotency-key': key }, timeoutMs });
    count(tally, `hold ${answer.status}${answer.body?.error?.code ? ` ${answer.body.error.code}` : ''}`);
    if (answer.status === 201) {
      tally.held.set(answer.body.holdId, { holdId: answer.body.holdId, key, token: buyer.token, typeId, quantity, via: node.nodeId });
      tally.byNode.set(node.nodeId, (tally.byNode.get(node.nodeId) ?? 0) + 1);
    }
    return answer;
  } catch {
    tally.transportErrors++;
    return null;
  }
}

async function confirmVia(tally: LoadTally, operatorToken: string, node: ClusterNode, holdId: string, timeoutMs: number): Promise<Answer | null> {
  tally.confirmSent.add(holdId);
  try {
    const answer = await request(node, 'POST', `/api/holds/${holdId}/confirm`, { token: operatorToken, timeoutMs });
    count(tally, `confirm ${answer.status}${answer.body?.error?.code ? ` ${answer.body.error.code}` : ''}`);
    if (answer.status === 200) {
      tally.confirmed.set(holdId, answer.body.ticketIds);
      tally.byNode.set(node.nodeId, (tally.byNode.get(node.nodeId) ?? 0) + 1);
    }
    return answer;
  } catch {
    tally.transportErrors++;
    return null;
  }
}

function loadSummary(tally: LoadTally): string {
  return `holds acknowledged ${tally.held.size}, confirmations acknowledged ${tally.confirmed.size}, transport errors ${tally.transportErrors}; ` +
    `answers ${JSON.stringify(Object.fromEntries([...tally.statuses].sort()))}; 2xx by node ${JSON.stringify(Object.fromEntries([...tally.byNode].sort()))}`;
}

export type Load = ReturnType<typeof startLoad>;

/**
 * What a load was told must still be true: every acknowledged hold is there
 * (through any node), every acknowledged confirmation is tickets in Postgres
 * with the ids it was answered with, no hold has more tickets than its
 * quantity, and no type sold or held beyond its capacity.
 */
export async function verifyAcknowledged(opts: { cluster: Cluster; db: Db; load: Load; eventId: string; capacities: Map<string, number> }): Promise<void> {
  const { cluster, db, load } = opts;
  const records = [...load.held.values()];
  for (let i = 0; i < records.length; i += 16) {
    await Promise.all(
      records.slice(i, i + 16).map(async (h) => {
        const answer = await requestAny(cluster, 'GET', `/api/holds/${h.holdId}`, { token: h.token, deadlineMs: 30_000 });
        expect(answer.status, `hold ${h.holdId} (acknowledged by ${h.via}): ${JSON.stringify(answer.body)}`).toBe(200);
        const expected = load.confirmed.has(h.holdId) ? ['confirmed'] : load.confirmSent.has(h.holdId) ? ['held', 'confirmed'] : ['held'];
        expect(expected, `hold ${h.holdId} (acknowledged by ${h.via})`).toContain(answer.body.status);
        expect(answer.body.quantity).toBe(h.quantity);
      }),
    );
  }

  const { rows } = await db.query<{ id: string; hold_id: string; type_id: string }>('SELECT id, hold_id, type_id FROM tickets WHERE event_id = $1', [opts.eventId]);
  const byHold = new Map<string, string[]>();
  for (const r of rows) byHold.set(r.hold_id, [...(byHold.get(r.hold_id) ?? []), r.id]);
  for (const [holdId, ticketIds] of load.confirmed) {
    expect((byHold.get(holdId) ?? []).sort(), `tickets of confirmed hold ${holdId}`).toEqual([...ticketIds].sort());
  }
  for (const [holdId, ids] of byHold) {
    // Only acknowledged holds are ever confirmed, so any ticket names one, and never more tickets than it held.
    const h = load.held.get(holdId);
    expect(h, `tickets ${ids.join(', ')} name hold ${holdId}, which was never acknowledged`).toBeDefined();
    expect(load.confirmSent.has(holdId), `hold ${holdId} has tickets but was never confirmed`).toBe(true);
    expect(ids.length, `tickets of hold ${holdId}`).toBe(h!.quantity);
  }

  const view = await requestAny(cluster, 'GET', `/api/events/${opts.eventId}`, { deadlineMs: 30_000 });
  expect(view.status, JSON.stringify(view.body)).toBe(200);
  for (const [typeId, capacity] of opts.capacities) {
    const type = view.body.ticketTypes.find((x: { id: string }) => x.id === typeId);
    const sold = rows.filter((r) => r.type_id === typeId).length;
    expect(sold, `tickets of type ${typeId}`).toBeLessThanOrEqual(capacity);
    expect(type.sold, `sold of type ${typeId}`).toBe(sold);
    expect(type.sold + type.held, `sold + held of type ${typeId}`).toBeLessThanOrEqual(capacity);
    const stillHeld = [...load.held.values()].filter((h) => h.typeId === typeId && !load.confirmSent.has(h.holdId)).reduce((n, h) => n + h.quantity, 0);
    expect(type.held, `held of type ${typeId}`).toBeGreaterThanOrEqual(stillHeld);
  }
  await checkJournal(db, opts.eventId);
}

/**
 * The journal of an event is one history: rows follow each other seq after
 * seq with no gap or overlap, and epochs never go back. A stale owner's flush
 * that committed after a newer owner had read the journal would break one of
 * these (its rows would overlap the newer owner's or come after them with an
 * older epoch).
 */
export async function checkJournal(db: Db, eventId: string): Promise<{ rows: number; epochs: number[] }> {
  const { rows } = await db.query<{ seq_from: number; seq_to: number; epoch: number; shard: number }>(
    'SELECT seq_from, seq_to, epoch, shard FROM inventory_journal WHERE event_id = $1 ORDER BY seq_from',
    [eventId],
  );
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    expect(b.seq_from, `journal of ${eventId}: row at seq ${b.seq_from} after ${a.seq_from}..${a.seq_to}`).toBe(a.seq_to + 1);
    expect(b.epoch, `journal of ${eventId}: epoch of seq ${b.seq_from}..${b.seq_to} after epoch ${a.epoch}`).toBeGreaterThanOrEqual(a.epoch);
  }
  return { rows: rows.length, epochs: [...new Set(rows.map((r) => r.epoch))] };
}

/** Serialises the cluster test files of one run (through the run's Redis): several clusters at once on 2 cores make every timing meaningless. */
export async function lockClusterTests(timeoutMs = 600_000): Promise<() => Promise<void>> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const key = 'tickr-tests:cluster-lock';
  const token = randomUUID();
  const deadline = Date.now() + timeoutMs;
  while ((await redis.set(key, token, 'PX', 300_000, 'NX')) !== 'OK') {
    if (Date.now() > deadline) {
      redis.disconnect();
      throw new Error('another cluster test file held the lock too long');
    }
    await sleep(250);
  }
  return async () => {
    await redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, key, token);
    redis.disconnect();
  };
}

export type PrivatePostgres = { url: string; db: Db; restart: (downMs?: number) => Promise<void>; stop: () => Promise<void> };

/** An embedded Postgres of one test file's own, with a migrated database `tickr`, which the test may restart (same data folder and port). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickr-cluster-pg-'));
  const port = await freePort();
  let server: EmbeddedDb = await startEmbeddedPostgres({ dataDir, port, persistent: false });
  const admin = createPool(server.url, 1);
  await admin.query('CREATE DATABASE tickr');
  await admin.end();
  const url = server.url.replace(/\/postgres$/, '/tickr');
  const db = createPool(url);
  await migrate(db);
  return {
    url,
    db,
    restart: async (downMs = 1_000) => {
      await server.stop();
      await sleep(downMs);
      server = await startEmbeddedPostgres({ dataDir, port, persistent: true });
    },
    stop: async () => {
      await db.end().catch(() => {});
      await server.stop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One cluster for a test file: its own database and Redis prefix, started
 * before its tests (one cluster file at a time, see lockClusterTests) and
 * stopped after them. Read `t` and `cluster` inside tests, not at load time.
 */
export function useCluster(opts: { nodes: number; leaseTtlMs?: number; env?: Record<string, string> }): { readonly t: TestDatabase; readonly cluster: Cluster } {
  const prefix = testRedisPrefix();
  const state: { t?: TestDatabase; cluster?: Cluster; unlock?: () => Promise<void> } = {};
  beforeAll(async () => {
    state.unlock = await lockClusterTests();
    state.t = await freshDatabase();
    const env: Record<string, string> = { ...opts.env, ...(opts.leaseTtlMs === undefined ? {} : { TICKR_LEASE_TTL_MS: String(opts.leaseTtlMs) }) };
    state.cluster = await startCluster({ nodes: opts.nodes, dbUrl: state.t.url, redisUrl: testRedisUrl(), prefix, env });
  }, 600_000);
  afterAll(async () => {
    await state.cluster?.close();
    await clearRedisPrefix(prefix);
    await state.t?.drop();
    await state.unlock?.();
  }, 60_000);
  return {
    get t() {
      return state.t!;
    },
    get cluster() {
      return state.cluster!;
    },
  };
}
