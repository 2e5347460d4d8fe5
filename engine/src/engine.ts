import type { Command, Outcome, Refusal } from './inventory/types.ts';
import type { QueueStatus } from './queue/types.ts';
import type { Registry } from './metrics.ts';

/**
 * What the edge sees of the engine: send a command to the actor of its event,
 * wherever that actor lives (this node's workers today, another node's later).
 * Refusals come back as outcomes, including `shard_unavailable` (not owned or
 * not serving right now: the edge answers 503 with Retry-After) and `busy`
 * (a mailbox is full: 503 as well). An actor loads its event from Postgres on
 * its first command; after a PATCH the edge sends `reconfigure`.
 */
export interface Engine {
  send(cmd: Command): Promise<Outcome>;
  status(): EngineStatus;
  /** Adds the engine's figures (shards, workers, journal, cluster) to the node's registry, read at each scrape. */
  registerMetrics(registry: Registry): void;
  close(): Promise<void>;
  /**
   * Calls `listener` with each durable queue status change (head move, state)
   * of any drop: this node's own at once, other nodes' through the cluster.
   * Absent on engines without queues (test doubles).
   */
  onQueueStatus?(listener: (status: QueueStatus) => void): void;
}

export type EngineStatus = {
  nodeId: string;
  shardsOwned: number;
  shardsTotal: number;
  workers: { index: number; alive: boolean; shards: number; mailboxDepth: number }[];
  ready: boolean;
};

/**
 * The one `shard_unavailable` refusal: a command for a shard that nobody
 * serves right now (not owned, worker down, peer unreachable), never applied.
 * The edge answers 503 with Retry-After. Frozen: it is shared by every answer.
 */
export const shardUnavailable: Refusal = Object.freeze({ ok: false, reason: 'shard_unavailable' }) as Refusal;
