import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import { startCluster, type Cluster } from './cluster/cluster.ts';
import type { Engine, EngineStatus } from './engine.ts';
import { shardOf } from './shards.ts';
import type { QueueStatus } from './queue/types.ts';
import { LeaseKeeper, sendIfServed } from './leases/lease_keeper.ts';
import { InProcessLeaseStore } from './leases/lease_store.ts';
import { counterReading, gaugeReading, histogramReading, type BucketCounts, type Registry, type Sample } from './metrics.ts';
import { batchSizeBuckets, flushLatencyBucketsMs, type Wire, type WorkerStats } from './worker/protocol.ts';
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
    registerMetrics: (registry) => registerEngineMetrics(registry, workers, k, config, cluster),
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
 * copied each frame into its own buffer). Since 2026-12-07 clone sends one flat
 * array per batch (wire.ts `flattenCommands`): on 2 shared cores, load 16,
 * clone 10.3 / 3.0 / 1.4 / 1.0 CPU µs/command at 1 / 5 / 20 / 50 per batch
 * against msgpack's 24.0 / 8.8 / 3.7 / 2.6 (the objects' clone: 15.8 / 5.6 / 3.6 / 3.0).
 */

/** The engine's figures for the node's registry, read from its workers, lease keeper and cluster at each scrape. */
function registerEngineMetrics(registry: Registry, workers: ShardWorkers, keeper: LeaseKeeper, config: Config, cluster: Cluster | null): void {
  const one = (value: number): Sample[] => [{ value }];
  const perWorker = (value: (stats: WorkerStats) => number): Sample[] =>
    workers.workers().flatMap((w) => (w.stats ? [{ labels: { worker: String(w.index) }, value: value(w.stats) }] : []));
  gaugeReading(registry, 'tickr_cluster_nodes', 'Live nodes this node sees (1 when alone).', [], () => one(cluster ? cluster.nodes().length : 1));
  counterReading(registry, 'tickr_forwarded_total', 'Commands this node forwarded to the owner of their shard.', [], () => one(cluster ? cluster.forwarded() : 0));
  counterReading(registry, 'tickr_forward_failures_total', 'Forwarded commands answered shard_unavailable (peer unreachable, connection lost, timeout).', [], () => one(cluster ? cluster.forwardFailures() : 0));
  gaugeReading(registry, 'tickr_shards_owned', 'Shards this node serves.', ['node'], () => [{ labels: { node: config.nodeId }, value: keeper.ownedCount }]);
  counterReading(registry, 'tickr_worker_restarts_total', 'Shard workers rebuilt from the journal after a crash.', [], () => one(workers.restarts.length));
  gaugeReading(registry, 'tickr_worker_mailbox_depth', 'Commands waiting in each shard worker\'s mailbox.', ['worker'], () =>
    workers.workers().map((w) => ({ labels: { worker: String(w.index) }, value: w.mailboxDepth })));
  counterReading(registry, 'tickr_worker_commands_total', 'Commands each shard worker has applied.', ['worker'], () => perWorker((s) => s.commands));
  gaugeReading(registry, 'tickr_worker_actors', 'Actors (events) each shard worker holds in memory.', ['worker'], () => perWorker((s) => s.actors));
  counterReading(registry, 'tickr_journal_entries_total', 'Journal entries each shard worker has flushed.', ['worker'], () => perWorker((s) => s.flushedEntries));
  const perWorkerBuckets = (counts: (stats: WorkerStats) => { counts: number[]; sum: number }): BucketCounts[] =>
    workers.workers().flatMap((w) => (w.stats ? [{ labels: { worker: String(w.index) }, ...counts(w.stats) }] : []));
  histogramReading(registry, 'tickr_journal_flush_seconds', 'Time of one journal flush (one round trip to Postgres).', flushLatencyBucketsMs.map((ms) => ms / 1000), () =>
    perWorkerBuckets((s) => ({ counts: s.flushLatency, sum: s.flushLatencySumMs / 1000 })));
  histogramReading(registry, 'tickr_journal_batch_entries', 'Journal entries per flush.', batchSizeBuckets, () =>
    perWorkerBuckets((s) => ({ counts: s.batchSizes, sum: s.flushedEntries })));
}
