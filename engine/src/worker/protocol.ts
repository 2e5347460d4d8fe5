import type { QueueStatus } from '../queue/types.ts';
import type { FlatBatch } from './wire.ts';

/** Settings a shard worker starts with (its `workerData`). */
export type WorkerInit = {
  index: number;
  dbUrl: string;
  shards: number;
  nodeId: string;
  flushDelayMs: number;
  flushesInFlight: number;
  snapshotEvery: number;
  wire: Wire;
};

/**
 * How command batches cross the thread boundary: structured clone of one flat
 * array (wire.ts `flattenCommands`), or one msgpackr frame transferred without copy. Both are kept so
 * the benchmark can compare them (bench/src/wire_micro.ts).
 */
export type Wire = 'clone' | 'msgpack';

export type ToWorker =
  /** `flattenCommands` (wire.ts). */
  | { t: 'cmds'; batch: FlatBatch }
  | { t: 'cmdsPacked'; frame: Uint8Array }
  | { t: 'own'; shard: number; epoch: number }
  | { t: 'disown'; shard: number }
  | { t: 'stop' };

export type WorkerStats = {
  commands: number;
  flushes: number;
  flushedEntries: number;
  /** Flush latency histogram: counts per upper bound in ms (`flushLatencyBucketsMs`), last = +Inf. */
  flushLatency: number[];
  flushLatencySumMs: number;
  /** Batch size histogram: counts per upper bound in entries (`batchSizeBuckets`), last = +Inf. */
  batchSizes: number[];
  mailboxDepth: number;
  actors: number;
};

export const flushLatencyBucketsMs = [1, 2, 5, 10, 25, 50, 100, 250, 1000];
export const batchSizeBuckets = [1, 10, 50, 100, 500, 1000, 2000];

export type FromWorker =
  /** `flattenAnswers` (wire.ts). */
  | { t: 'answers'; batch: FlatBatch }
  | { t: 'answersPacked'; frame: Uint8Array }
  | { t: 'owned'; shard: number; events: number }
  | { t: 'disowned'; shard: number }
  | { t: 'stats'; stats: WorkerStats }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; msg: string }
  | { t: 'fatal'; msg: string; fencedShards: number[] }
  | { t: 'stopped' }
  /** Head moves and state changes of this worker's queues, once durable: pushed to the waiters. */
  | { t: 'queueStatus'; statuses: QueueStatus[] };
