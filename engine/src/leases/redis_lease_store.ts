import { Redis } from 'ioredis';
import { leaseCommandTimeoutMs, leaseReconnectDelayMaxMs, redisConnectTimeoutMs, redisSocketTimeoutMs } from '../constants.ts';
import { assert } from '../assert.ts';
import type { LeaseStore } from './lease_store.ts';

export type RedisLeaseStoreOptions = {
  url: string;
  /** Every key starts with it: `<prefix>lease:<shard>`. Tests give each file its own. */
  keyPrefix?: string;
  commandTimeoutMs?: number;
  /** Connection errors (the failed commands reject with them too). Unset: ignored. */
  onError?: (error: Error) => void;
};

// Each script is one atomic step on one key: KEYS[1] the lease, ARGV[1] the owner, ARGV[2] the TTL in ms.
const acquireLua = `
local current = redis.call('GET', KEYS[1])
if current == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const renewLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const releaseLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** The scripts as `defineCommand` adds them (EVALSHA, with EVAL when Redis does not know the script yet). */
type LeaseScripts = {
  leaseAcquire(key: string, owner: string, ttlMs: number): Promise<number>;
  leaseRenew(key: string, owner: string, ttlMs: number): Promise<number>;
  leaseRelease(key: string, owner: string): Promise<number>;
};

/**
 * Leases in Redis, for many nodes: one key per shard holding its owner's id,
 * with a TTL. The connection is the leases' own and never queues: a command
 * sent while Redis is unreachable fails at once, a command in flight when the
 * connection drops is failed rather than resent, and a reply later than
 * `commandTimeoutMs` counts as a failure. So a renewal either succeeds in
 * time or the keeper stops serving the shard.
 *
 * `connect()` resolves once Redis answers; a store made with `new` connects
 * on its first command, which fails (the keeper's next tick tries again).
 */
export class RedisLeaseStore implements LeaseStore {
  private readonly redis: Redis;
  private readonly scripts: LeaseScripts;
  private readonly keyPrefix: string;

  constructor(opts: RedisLeaseStoreOptions) {
    this.keyPrefix = opts.keyPrefix ?? 'tickr:';
    this.redis = new Redis(opts.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: opts.commandTimeoutMs ?? leaseCommandTimeoutMs,
      connectTimeout: redisConnectTimeoutMs,
      // A connection whose command got no answer is dropped and remade, not left behind a dead link.
      socketTimeout: redisSocketTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 50, leaseReconnectDelayMaxMs),
    });
    const onError = opts.onError ?? (() => {});
    this.redis.on('error', onError);
    this.redis.defineCommand('leaseAcquire', { numberOfKeys: 1, lua: acquireLua });
    this.redis.defineCommand('leaseRenew', { numberOfKeys: 1, lua: renewLua });
    this.redis.defineCommand('leaseRelease', { numberOfKeys: 1, lua: releaseLua });
    this.scripts = this.redis as unknown as LeaseScripts;
  }

  /** A store whose connection is up. Rejects if Redis cannot be reached now. */
  static async connect(opts: RedisLeaseStoreOptions): Promise<RedisLeaseStore> {
    const store = new RedisLeaseStore(opts);
    try {
      await store.redis.connect();
    } catch (error) {
      store.redis.disconnect();
      throw error;
    }
    return store;
  }

  key(shard: number): string {
    return `${this.keyPrefix}lease:${shard}`;
  }

  async acquire(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    return (await this.scripts.leaseAcquire(this.key(shard), owner, ttlMs)) === 1;
  }

  async renew(shard: number, owner: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    return (await this.scripts.leaseRenew(this.key(shard), owner, ttlMs)) === 1;
  }

  async release(shard: number, owner: string): Promise<void> {
    await this.scripts.leaseRelease(this.key(shard), owner);
  }

  async holder(shard: number): Promise<string | null> {
    return this.redis.get(this.key(shard));
  }

  /** Closes the connection; leases still held lapse at their TTL (release them first to hand over sooner). */
  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }
}

function checkTtl(ttlMs: number): void {
  assert(Number.isInteger(ttlMs) && ttlMs > 0, `lease TTL must be a positive integer of ms, got ${ttlMs}`);
}
