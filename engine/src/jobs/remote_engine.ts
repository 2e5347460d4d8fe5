import { ForwardClient } from '../cluster/forward_client.ts';
import { Membership, type NodeInfo } from '../cluster/membership.ts';
import type { Config } from '../config.ts';
import type { Engine } from '../engine.ts';
import type { Command, Outcome } from '../inventory/types.ts';
import { RedisLeaseStore } from '../leases/redis_lease_store.ts';
import type { Logger } from '../log.ts';
import { shardOf } from '../shards.ts';
import { shardUnavailable } from '../engine.ts';
import { nodesCacheMs } from '../constants.ts';

/**
 * The engine as `tickr jobs` sees it: it owns no shard, so every command goes
 * to the node that holds the shard's lease (read in Redis), over the same
 * internal port and frames nodes forward to each other with. It never joins
 * the membership, so placement never gives it shards.
 */
export async function connectRemoteEngine(config: Config, log: Logger): Promise<Engine> {
  if (config.redisUrl === null) throw new Error('a remote engine needs REDIS_URL');
  // The nodes serve only peers that know the cluster secret; readConfig requires it with REDIS_URL.
  if (config.clusterSecret === null) throw new Error('a remote engine needs TICKR_CLUSTER_SECRET');
  const onError = (error: Error) => log('warn', `redis: ${error.message}`);
  const leases = await RedisLeaseStore.connect({ url: config.redisUrl, keyPrefix: config.redisPrefix, onError });
  const membership = await Membership.observe({ url: config.redisUrl, keyPrefix: config.redisPrefix, onError });
  const forward = new ForwardClient({ secret: config.clusterSecret, log });
  let nodes: { list: NodeInfo[]; until: number } = { list: [], until: 0 };

  async function peerOf(shard: number): Promise<string | null> {
    const holder = await leases.holder(shard).catch(() => null);
    if (holder === null) return null;
    if (nodes.until <= Date.now()) nodes = { list: await membership.liveNodes().catch(() => []), until: Date.now() + nodesCacheMs };
    return nodes.list.find((n) => n.nodeId === holder)?.internalUrl ?? null;
  }

  return {
    async send(cmd: Command): Promise<Outcome> {
      const peer = await peerOf(shardOf(cmd.eventId, config.shards));
      return peer === null ? shardUnavailable : forward.send(peer, cmd);
    },
    status: () => ({ nodeId: config.nodeId, shardsOwned: 0, shardsTotal: config.shards, workers: [], ready: true }),
    registerMetrics: () => {},
    async close() {
      await forward.close();
      await membership.close();
      await leases.close();
    },
  };
}
