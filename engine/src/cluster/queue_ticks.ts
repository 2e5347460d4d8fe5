import { Redis } from 'ioredis';
import { redisConnectTimeoutMs, redisSocketTimeoutMs } from '../constants.ts';
import type { QueueStatus } from '../queue/types.ts';

/**
 * Queue status changes between the nodes of a cluster, over Redis pub/sub:
 * the owner of a drop publishes each durable head move and state change
 * (sell-out, pause) once, on one channel, and every node hears it and
 * publishes it to its own waiters of that drop (edge/src/ws/queue_live.ts).
 *
 * Why pub/sub and not each node polling the owner: a poll finds a move up to
 * a poll period late (250 ms measured as most of the delay), and costs the
 * owner nodes × drops answers a period whether anything moved or not. A push
 * costs one Redis PUBLISH per change, and a node hears it about a Redis round
 * trip later. Pub/sub forgets what it could not deliver (Redis down, a
 * reconnect): the nodes still ask the owner once a second, which bounds how
 * stale a waiter can be then.
 *
 * One channel for every drop: changes come at most a few a second per drop,
 * and a node ignores drops it has no waiters for.
 */
export type QueueTicks = {
  publish(statuses: QueueStatus[]): void;
  close(): Promise<void>;
};

type Message = { from: string; statuses: QueueStatus[] };

export async function startQueueTicks(opts: { url: string; keyPrefix: string; nodeId: string; onStatus: (status: QueueStatus) => void; onError: (error: Error) => void }): Promise<QueueTicks> {
  const channel = `${opts.keyPrefix}queue-status`;
  const options = {
    lazyConnect: true,
    // A change Redis cannot take now is dropped, not queued: the next change or the 1 s poll carries the whole status.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: redisConnectTimeoutMs,
    // A connection whose command got no answer is dropped and remade, not left behind a dead link.
    socketTimeout: redisSocketTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
  };
  const publisher = new Redis(opts.url, options);
  // ioredis subscribes again after a reconnect on its own.
  const subscriber = new Redis(opts.url, { ...options, enableOfflineQueue: true });
  publisher.on('error', opts.onError);
  subscriber.on('error', opts.onError);
  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return opts.onError(new Error(`queue status on ${channel} is not JSON: ${text.slice(0, 80)}`));
    }
    // This node's own changes reached its waiters already, straight from its workers.
    if (message.from === opts.nodeId || !Array.isArray(message.statuses)) return;
    for (const status of message.statuses) opts.onStatus(status);
  });
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw error;
  }
  return {
    publish(statuses) {
      publisher.publish(channel, JSON.stringify({ from: opts.nodeId, statuses } satisfies Message)).catch(opts.onError);
    },
    async close() {
      await Promise.all([publisher.quit().catch(() => publisher.disconnect()), subscriber.quit().catch(() => subscriber.disconnect())]);
    },
  };
}
