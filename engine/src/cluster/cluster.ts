import { assert } from '../assert.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { Command, Outcome } from '../inventory/types.ts';
import type { Level, Logger } from '../log.ts';
import { LeaseKeeper, sendIfServed } from '../leases/lease_keeper.ts';
import { RedisLeaseStore } from '../leases/redis_lease_store.ts';
import { leaseClock } from '../leases/skewed_clock.ts';
import { shardOf } from '../shards.ts';
import type { Log, ShardWorkers } from '../worker/pool.ts';
import { ForwardClient } from './forward_client.ts';
import { startForwardServer, type ForwardServer } from './forward_server.ts';
import { Membership, type NodeInfo } from './membership.ts';
import { shardsOf } from './placement.ts';
import { startQueueTicks } from './queue_ticks.ts';
import type { QueueStatus } from '../queue/types.ts';
import { systemClock } from '../clock.ts';
import { shardUnavailable } from '../engine.ts';
import { ownerCacheMs } from '../constants.ts';

export type Cluster = {
  keeper: LeaseKeeper;
  send(cmd: Command): Promise<Outcome>;
  nodes(): NodeInfo[];
  forwarded(): number;
  /** Forwarded commands answered `shard_unavailable` by the forward client (peer unreachable, connection lost, timeout). */
  forwardFailures(): number;
  /** Tells every other node of this node's queue status changes (Redis pub/sub, cluster/queue_ticks.ts). */
  publishQueueStatus(statuses: QueueStatus[]): void;
  close(): Promise<void>;
};

/**
 * A node among many: membership in Redis, shards placed by rendezvous hashing
 * over the live nodes, leases in Redis, and forwarding to the owner of a shard
 * this node does not serve. A forwarded command is never forwarded again: the
 * receiving node answers for its own shards or says `shard_unavailable`, so a
 * stale view of who owns what costs a retry, never a loop.
 */
export async function startCluster(opts: { config: Config; db: Db; workers: ShardWorkers; log: Log; onQueueStatus: (status: QueueStatus) => void }): Promise<Cluster> {
  const { config, workers, log } = opts;
  const url = config.redisUrl!;
  const onError = (error: Error) => log('warn', `redis: ${error.message}`);
  const leases = await RedisLeaseStore.connect({ url, keyPrefix: config.redisPrefix, onError });

  let keeper: LeaseKeeper | null = null;
  // A forwarded command is answered here or refused, never forwarded again.
  const serveLocal = (cmd: Command): Promise<Outcome> =>
    keeper ? sendIfServed(keeper, workers, cmd, shardOf(cmd.eventId, config.shards)) : Promise.resolve(shardUnavailable);
  // readConfig refuses REDIS_URL without TICKR_CLUSTER_SECRET: the internal port never runs unauthenticated.
  const secret = config.clusterSecret;
  assert(secret !== null, 'a cluster node has TICKR_CLUSTER_SECRET');
  const forwardLog = (level: Level, msg: string): void => log(level === 'debug' ? 'info' : level, msg);
  const server = await listenInternal(config, secret, serveLocal, forwardLog);
  const self = { nodeId: config.nodeId, internalUrl: `${config.advertiseHost}:${server.port}` };
  const membership = await Membership.join({ url, self, keyPrefix: config.redisPrefix, onError });
  const ticks = await startQueueTicks({ url, keyPrefix: config.redisPrefix, nodeId: config.nodeId, onStatus: opts.onQueueStatus, onError });

  let live: NodeInfo[] = [membership.self];
  const clock = leaseClock(config.testClockSkewFile);
  const k = createKeeper(opts, leases, membership, clock, (nodes) => (live = nodes));
  keeper = k;
  const forward = new ForwardClient({ secret, log: forwardLog });
  const router = commandRouter({ config, workers, keeper: k, leases, forward, liveNodes: () => live });

  await k.start(false);
  return {
    keeper: k,
    nodes: () => live,
    forwarded: router.forwarded,
    forwardFailures: () => forward.stats().failures,
    publishQueueStatus: (statuses) => ticks.publish(statuses),
    send: router.send,
    async close() {
      await k.stop();
      await membership.leave().catch(() => {});
      await server.close();
      forward.close();
      await ticks.close();
      await leases.close();
      clock.close();
    },
  };
}

/** The internal port, or an error saying which setting to fix when it cannot listen. */
function listenInternal(config: Config, secret: Uint8Array, handle: (cmd: Command) => Promise<Outcome>, log: Logger): Promise<ForwardServer> {
  return startForwardServer({ host: config.internalHost, port: config.internalPort, secret, handle, log }).catch((error: Error) => {
    throw new Error(
      `the internal port cannot listen on ${config.internalHost}:${config.internalPort} (${error.message}): TICKR_INTERNAL_PORT must be free and TICKR_INTERNAL_HOST an address of this machine (0.0.0.0 for all)`,
    );
  });
}

/** The lease keeper wants the shards rendezvous hashing gives this node among the live ones; each reading of them goes to `setLive`. */
function createKeeper(
  opts: { config: Config; db: Db; workers: ShardWorkers; log: Log },
  leases: RedisLeaseStore,
  membership: Membership,
  clock: { now: () => number },
  setLive: (nodes: NodeInfo[]) => void,
): LeaseKeeper {
  const { config } = opts;
  return new LeaseKeeper({
    leases,
    db: opts.db,
    workers: opts.workers,
    nodeId: config.nodeId,
    shards: config.shards,
    log: opts.log,
    ttlMs: config.leaseTtlMs,
    // Fault tests skew only the lease keeper's reading of time; its timers stay the system's.
    clock: { ...systemClock, now: clock.now },
    want: async () => {
      const nodes = await membership.liveNodes();
      // We are alive whatever Redis says this instant (a flushed Redis forgets us until the next heartbeat).
      const live = nodes.some((n) => n.nodeId === config.nodeId) ? nodes : [...nodes, membership.self];
      setLive(live);
      return new Set(shardsOf(config.nodeId, live.map((n) => n.nodeId), config.shards));
    },
  });
}

/**
 * Sends a command to this node's worker for its shard when this node serves
 * it, else to the node holding the shard's lease (looked up in Redis, cached
 * for `ownerCacheMs`, forgotten when that node answers `shard_unavailable`).
 */
function commandRouter(parts: {
  config: Config;
  workers: ShardWorkers;
  keeper: LeaseKeeper;
  leases: RedisLeaseStore;
  forward: ForwardClient;
  liveNodes: () => NodeInfo[];
}): { send(cmd: Command): Promise<Outcome>; forwarded(): number } {
  const { config, workers, keeper, leases, forward } = parts;
  const owners = new Map<number, { peer: string | null; until: number }>();
  let forwardedCount = 0;

  async function ownerOf(shard: number): Promise<string | null> {
    const cached = owners.get(shard);
    if (cached && cached.until > Date.now()) return cached.peer;
    const holder = await leases.holder(shard).catch(() => null);
    const peer = holder === null || holder === config.nodeId ? null : (parts.liveNodes().find((n) => n.nodeId === holder)?.internalUrl ?? null);
    owners.set(shard, { peer, until: Date.now() + ownerCacheMs });
    return peer;
  }

  return {
    forwarded: () => forwardedCount,
    async send(cmd) {
      const shard = shardOf(cmd.eventId, config.shards);
      if (keeper.serves(shard)) return workers.send(cmd, shard);
      if (keeper.holds(shard)) return shardUnavailable; // ours, still loading
      const peer = await ownerOf(shard);
      if (peer === null) return shardUnavailable;
      forwardedCount++;
      const outcome = await forward.send(peer, cmd);
      if (!outcome.ok && outcome.reason === 'shard_unavailable') owners.delete(shard);
      return outcome;
    },
  };
}
