import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The run's Redis (test/global_setup.ts): REDIS_URL, or a redis-server started for the run. */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix of its own, so test files (and tests) sharing one Redis never see each other's keys. */
export function testRedisPrefix(): string {
  return `tickr-t-${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (for an afterAll; keys without a TTL would outlive the test otherwise). */
export async function clearRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
