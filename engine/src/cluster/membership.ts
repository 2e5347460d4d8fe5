import { Redis } from 'ioredis';
import { heartbeatMs, membershipCommandTimeoutMs, nodeTtlMs, redisConnectTimeoutMs, redisSocketTimeoutMs } from '../constants.ts';
import { assert } from '../assert.ts';

export type NodeInfo = { nodeId: string; internalUrl: string; startedAt: number };

export type MembershipOptions = {
  url: string;
  self: { nodeId: string; internalUrl: string; startedAt?: number };
  /** Every key starts with it: `<prefix>node:<nodeId>` and `<prefix>nodes`. Tests give each file its own. */
  keyPrefix?: string;
  heartbeatMs?: number;
  nodeTtlMs?: number;
  /** Connection errors and failed heartbeats. Unset: ignored. */
  onError?: (error: Error) => void;
};

// Expiries are read from Redis's clock (TIME), never the nodes', so clock skew between nodes cannot keep a dead one listed.
const nowLua = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: the node's key, the set of nodes. ARGV: node id, its JSON, the TTL in ms.
const heartbeatLua = `${nowLua}
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
return 1`;

// KEYS: the set of nodes. Drops the nodes whose heartbeat lapsed and lists the others.
const liveLua = `${nowLua}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`;

// KEYS: the node's key, the set of nodes. ARGV: node id.
const leaveLua = `redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

type MembershipScripts = {
  memberHeartbeat(nodeKey: string, setKey: string, nodeId: string, json: string, ttlMs: number): Promise<number>;
  memberLive(setKey: string): Promise<string[]>;
  memberLeave(nodeKey: string, setKey: string, nodeId: string): Promise<number>;
};

/**
 * The live nodes of a cluster. Each node refreshes its own key
 * (`tickr:node:<nodeId>`, JSON NodeInfo, with a TTL) every heartbeat and
 * scores itself in the sorted set `tickr:nodes` by when that key lapses; a
 * node is live while its score is in the future. A node that dies drops out
 * after its TTL; one that leaves drops out at once.
 */
export class Membership {
  readonly self: NodeInfo;
  private readonly redis: Redis;
  private readonly scripts: MembershipScripts;
  private readonly nodeKeyPrefix: string;
  readonly setKey: string;
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly onError: (error: Error) => void;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private left = false;

  constructor(opts: MembershipOptions) {
    const prefix = opts.keyPrefix ?? 'tickr:';
    this.self = { nodeId: opts.self.nodeId, internalUrl: opts.self.internalUrl, startedAt: opts.self.startedAt ?? Date.now() };
    this.nodeKeyPrefix = `${prefix}node:`;
    this.setKey = `${prefix}nodes`;
    this.heartbeatMs = opts.heartbeatMs ?? heartbeatMs;
    this.ttlMs = opts.nodeTtlMs ?? nodeTtlMs;
    assert(this.heartbeatMs * 2 <= this.ttlMs, `a node's TTL (${this.ttlMs} ms) must span at least two heartbeats (${this.heartbeatMs} ms)`);
    this.onError = opts.onError ?? (() => {});
    this.redis = new Redis(opts.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: membershipCommandTimeoutMs,
      connectTimeout: redisConnectTimeoutMs,
      // A connection whose command got no answer is dropped and remade, not left behind a dead link.
      socketTimeout: redisSocketTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    this.redis.on('error', this.onError);
    this.redis.defineCommand('memberHeartbeat', { numberOfKeys: 2, lua: heartbeatLua });
    this.redis.defineCommand('memberLive', { numberOfKeys: 1, lua: liveLua });
    this.redis.defineCommand('memberLeave', { numberOfKeys: 2, lua: leaveLua });
    this.scripts = this.redis as unknown as MembershipScripts;
  }

  /** Connects, announces this node, and keeps announcing it every heartbeat. Rejects if Redis cannot be reached now. */
  static async join(opts: MembershipOptions): Promise<Membership> {
    const membership = new Membership(opts);
    try {
      await membership.redis.connect();
      await membership.heartbeat();
    } catch (error) {
      membership.redis.disconnect();
      throw error;
    }
    membership.timer = setInterval(() => void membership.tick(), membership.heartbeatMs);
    membership.timer.unref();
    return membership;
  }

  /**
   * Connects to read the live nodes without announcing anything: for a process
   * that only forwards commands (`tickr jobs`) and must never be given shards.
   */
  static async observe(opts: Omit<MembershipOptions, 'self'>): Promise<Membership> {
    const membership = new Membership({ ...opts, self: { nodeId: 'observer', internalUrl: '' } });
    try {
      await membership.redis.connect();
    } catch (error) {
      membership.redis.disconnect();
      throw error;
    }
    return membership;
  }

  /** Announces this node for another TTL. */
  async heartbeat(): Promise<void> {
    assert(!this.left, 'a node that left cannot heartbeat');
    await this.scripts.memberHeartbeat(this.nodeKey(this.self.nodeId), this.setKey, this.self.nodeId, JSON.stringify(this.self), this.ttlMs);
  }

  /** The nodes whose heartbeat has not lapsed, this one included while it beats, ordered by id. */
  async liveNodes(): Promise<NodeInfo[]> {
    const ids = await this.scripts.memberLive(this.setKey);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.nodeKey(id)));
    const nodes: NodeInfo[] = [];
    for (const value of values) {
      const node = value === null ? null : parseNodeInfo(value);
      if (node) nodes.push(node);
    }
    return nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  /** Stops heartbeating and removes this node: the others stop listing it at once. */
  async leave(): Promise<void> {
    this.stopHeartbeats();
    this.left = true;
    await this.beating;
    await this.scripts.memberLeave(this.nodeKey(this.self.nodeId), this.setKey, this.self.nodeId);
  }

  /** Stops heartbeating and closes the connection. Without leave() first, others list this node until its TTL lapses. */
  async close(): Promise<void> {
    this.stopHeartbeats();
    await this.beating;
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }

  nodeKey(nodeId: string): string {
    return `${this.nodeKeyPrefix}${nodeId}`;
  }

  private stopHeartbeats(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this.beating || this.left) return;
    this.beating = this.heartbeat()
      .catch((error: unknown) => this.onError(new Error(`heartbeat of node ${this.self.nodeId} failed: ${(error as Error).message}`)))
      .finally(() => (this.beating = null));
  }
}

function parseNodeInfo(json: string): NodeInfo | null {
  try {
    const v = JSON.parse(json) as Partial<NodeInfo>;
    if (typeof v.nodeId !== 'string' || typeof v.internalUrl !== 'string' || typeof v.startedAt !== 'number') return null;
    return { nodeId: v.nodeId, internalUrl: v.internalUrl, startedAt: v.startedAt };
  } catch {
    return null;
  }
}
