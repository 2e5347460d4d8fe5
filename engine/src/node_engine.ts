import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import { startCluster, type Cluster } from './cluster/cluster.ts';
import type { Engine, EngineStatus } from './engine.ts';
import { shardOf } from './shards.ts';
import type { QueueStatus } from './queue/types.ts';
import { LeaseKeeper, sendIfServed } from './leases/lease_keeper.ts';
import { InProcessLeaseStore } from './leases/lease_store.ts';
import { batchSizeBuckets, flushLatencyBucketsMs, type Wire } from './worker/protocol.ts';
import { ShardWorkers, type Log } from './worker/pool.ts';

/**
 * The engine of one node: its shard workers and the lease keeper that decides
 * which shards they serve. Without Redis the node owns every shard through an
 * in-process lease store, with the same fencing in Postgres as a cluster; with
 * REDIS_URL it joins a cluster (cluster/cluster.ts) and serves its share.
 */
export async function startEngine(opts: { config: Config; db: Db; dbUrl: string; log: Log; wire?: Wire }): Promise<Engine> {
  const { config, db, log } = opts;
  let keeper: LeaseKeeper | null = null;
  let cluster: Cluster | null = null;
  const queueListeners: ((status: QueueStatus) => void)[] = [];
  const toListeners = (status: QueueStatus) => {
    for (const listener of queueListeners) listener(status);
  };
  const workers = new ShardWorkers({
    count: config.workers,
    init: { dbUrl: opts.dbUrl, shards: config.shards, nodeId: config.nodeId, flushDelayMs: config.flushDelayMs, flushesInFlight: config.flushesInFlight, snapshotEvery: config.snapshotEvery, wire: opts.wire ?? config.wire },
    log,
    onRestart: (_index, shards) => void keeper?.reserve(shards),
    onFenced: (shards) => keeper?.lost(shards),
    onQueueStatus: (statuses) => {
      for (const status of statuses) toListeners(status);
      cluster?.publishQueueStatus(statuses);
    },
  });

  let send: Engine['send'];
  let close: () => Promise<void>;
  if (config.redisUrl) {
    cluster = await startCluster({ config, db, workers, log, onQueueStatus: toListeners });
    keeper = cluster.keeper;
    send = (cmd) => cluster!.send(cmd);
    close = () => cluster!.close();
  } else {
    keeper = new LeaseKeeper({ leases: new InProcessLeaseStore(), db, workers, nodeId: config.nodeId, shards: config.shards, log, ttlMs: config.leaseTtlMs });
    await keeper.start(true);
    const k = keeper;
    send = (cmd) => sendIfServed(k, workers, cmd, shardOf(cmd.eventId, config.shards));
    close = () => k.stop();
  }
  const k = keeper;

  return {
    send,
    status: (): EngineStatus => {
      const alive = workers.workers().every((w) => w.alive);
      return {
        nodeId: config.nodeId,
        shardsOwned: k.ownedCount,
        shardsTotal: config.shards,
        workers: workers.workers().map(({ index, alive, shards, mailboxDepth }) => ({ index, alive, shards, mailboxDepth })),
        // Alone, a node is ready when it serves every shard; in a cluster, when its workers live (its share moves).
        ready: alive && (cluster !== null || k.ownedCount === config.shards),
      };
    },
    metrics: () => engineMetrics(workers, k, config, cluster),
    onQueueStatus: (listener) => void queueListeners.push(listener),
    close: async () => {
      // Drain first (every shard flushed and released), then end the workers.
      await close();
      await workers.close();
    },
  };
}

/*
 * Measured 2026-11-25 on 2 cores (AMD EPYC, Node 20), `npm run bench -- wire`
 * and `holds` at 100 connections with autocannon on the same box. In-process
 * round trips (bench/src/wire_micro.ts): clone wins small batches (1: 25.3k vs
 * 19.9k batches/s, 36 vs 56 CPU µs/batch; 10: 15.7k vs 9.1k), msgpack wins
 * big ones by ~7-9 % (100: 3.49k vs 3.73k; 1000: 384 vs 417; 2.8 vs 2.7 and
 * 2.6 vs 2.2 CPU µs/command). End to end, holds alternating: clone 5097, 3970,
 * 2598 req/s (p50 9/14/23 ms, p99 372/254/213 ms, 217/230/308 CPU µs/req);
 * msgpack 4857, 4653 req/s (p50 10/11 ms, p99 343/275 ms, 207/239 CPU µs/req),
 * while hello-world on the same runs swung from 14.8k to 31.6k req/s: within
 * the noise, not clearly faster. So clone stays the default; TICKR_WIRE=msgpack
 * (config.ts) selects the other (which crashed workers under load until wire.ts
 * copied each frame into its own buffer).
 */

function histogram(name: string, labels: string, bounds: number[], counts: number[], sum: number, scale: number): string[] {
  const lines: string[] = [];
  let cumulative = 0;
  bounds.forEach((bound, i) => {
    cumulative += counts[i] ?? 0;
    lines.push(`${name}_bucket{${labels}le="${bound * scale}"} ${cumulative}`);
  });
  cumulative += counts[bounds.length] ?? 0;
  lines.push(`${name}_bucket{${labels}le="+Inf"} ${cumulative}`, `${name}_sum{${labels.replace(/,$/, '')}} ${sum}`, `${name}_count{${labels.replace(/,$/, '')}} ${cumulative}`);
  return lines;
}

function engineMetrics(workers: ShardWorkers, keeper: LeaseKeeper, config: Config, cluster: Cluster | null): string {
  const lines = [
    '# HELP tickr_cluster_nodes Live nodes this node sees (1 when alone).',
    '# TYPE tickr_cluster_nodes gauge',
    `tickr_cluster_nodes ${cluster ? cluster.nodes().length : 1}`,
    '# HELP tickr_forwarded_total Commands this node forwarded to the owner of their shard.',
    '# TYPE tickr_forwarded_total counter',
    `tickr_forwarded_total ${cluster ? cluster.forwarded() : 0}`,
    '# HELP tickr_shards_owned Shards this node serves.',
    '# TYPE tickr_shards_owned gauge',
    `tickr_shards_owned{node="${config.nodeId}"} ${keeper.ownedCount}`,
    '# HELP tickr_worker_restarts_total Shard workers rebuilt from the journal after a crash.',
    '# TYPE tickr_worker_restarts_total counter',
    `tickr_worker_restarts_total ${workers.restarts.length}`,
    '# TYPE tickr_worker_mailbox_depth gauge',
    '# TYPE tickr_worker_commands_total counter',
    '# TYPE tickr_worker_actors gauge',
    '# TYPE tickr_journal_flush_seconds histogram',
    '# TYPE tickr_journal_batch_entries histogram',
    '# TYPE tickr_journal_entries_total counter',
  ];
  for (const w of workers.workers()) {
    const label = `worker="${w.index}"`;
    lines.push(`tickr_worker_mailbox_depth{${label}} ${w.mailboxDepth}`);
    const s = w.stats;
    if (!s) continue;
    lines.push(`tickr_worker_commands_total{${label}} ${s.commands}`, `tickr_worker_actors{${label}} ${s.actors}`, `tickr_journal_entries_total{${label}} ${s.flushedEntries}`);
    lines.push(...histogram('tickr_journal_flush_seconds', `${label},`, flushLatencyBucketsMs, s.flushLatency, s.flushLatencySumMs / 1000, 1 / 1000));
    lines.push(...histogram('tickr_journal_batch_entries', `${label},`, batchSizeBuckets, s.batchSizes, s.flushedEntries, 1));
  }
  return lines.join('\n');
}
