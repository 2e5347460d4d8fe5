import { accountCacheMax, accountCacheTtlMs, accountFeedOverlapMs, accountFeedPollMs } from '../../../engine/src/constants.ts';
import { selectAccountChanges, selectAccountStates, type AccountState } from '../../../engine/src/db/account_versions.ts';
import type { Db } from '../../../engine/src/db/pool.ts';

/**
 * The state of each account that tokens speak for, cached per node. The node
 * that changes an account forgets its entry at once; every node also reads the
 * accounts changed lately (`updated_at`, one indexed query a second whatever
 * the load: the change feed) and forgets those. So a cached state stays good
 * for as long as the feed keeps up, and a drop's buyers are checked from
 * memory, never with a query per hold. When the feed has not been read for
 * `accountCacheTtlMs` (the database unreachable), entries fall back to that
 * TTL: a revoked token never lives longer than it did before the feed. Misses
 * are loaded in one query per event-loop turn, however many requests need one.
 */
export type AccountStates = {
  /** The state when cached and fresh: null for a deleted or unknown account, undefined when it must be loaded. */
  fresh(id: string): AccountState | null | undefined;
  load(id: string): Promise<AccountState | null>;
  /** After this node changed the account: the next request reads it again. */
  forget(id: string): void;
  /** Reads the change feed once now (the timer does it every `accountFeedPollMs`); resolves false when it failed. */
  poll(): Promise<boolean>;
  /** Stops the feed's timer. */
  close(): void;
};

type Entry = { state: AccountState | null; loadedAt: number };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids per query: a burst of first requests becomes a few queries, not one huge one. */
const loadBatchMax = 1_000;

/**
 * `feed: false` keeps the TTL alone (a test's fake database has no feed); with
 * it (the default), a timer reads the feed every `pollMs`.
 */
export function createAccountStates(db: Db, opts: { ttlMs?: number; max?: number; now?: () => number; feed?: boolean; pollMs?: number } = {}): AccountStates {
  const ttlMs = opts.ttlMs ?? accountCacheTtlMs;
  const max = opts.max ?? accountCacheMax;
  const now = opts.now ?? Date.now;
  const feed = opts.feed ?? true;
  /** When the feed was last read whole (this node's clock), and what it had read: only entries loaded after its first read may outlive the TTL. */
  let feedReadAt = -Infinity;
  let feedStartedAt = Infinity;
  /** The database's clock at the last read; the next reads back from it by `accountFeedOverlapMs`, for transactions that committed late. */
  let feedSince: Date | null = null;
  /** Changes seen in the overlap, so each is forgotten once: `${id} ${updated_at}`. */
  let seen = new Set<string>();
  let polling: Promise<boolean> | null = null;
  const cache = new Map<string, Entry>();
  const waiting = new Map<string, { promise: Promise<AccountState | null>; resolve: (s: AccountState | null) => void; reject: (e: unknown) => void }>();
  let queued: string[] = [];
  let scheduled = false;
  // Raised by forget(): a load that began before a change must not cache what it read.
  let forgets = 0;

  /** `loadedAt`: when the query that read `state` began, so the entry is never younger than what it holds. */
  function remember(id: string, state: AccountState | null, loadedAt: number): void {
    cache.delete(id);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(id, { state, loadedAt });
  }

  async function loadBatch(ids: string[]): Promise<void> {
    const forgetsBefore = forgets;
    const startedAt = now();
    try {
      const found = new Map((await selectAccountStates(db, ids)).map((s) => [s.id, s]));
      for (const id of ids) {
        const state = found.get(id) ?? null;
        if (forgets === forgetsBefore) remember(id, state, startedAt);
        waiting.get(id)?.resolve(state);
        waiting.delete(id);
      }
    } catch (error) {
      for (const id of ids) {
        waiting.get(id)?.reject(error);
        waiting.delete(id);
      }
    }
  }

  async function readFeed(): Promise<boolean> {
    const startedAt = now();
    try {
      const { dbNow, changes } = await selectAccountChanges(db, feedSince, accountFeedOverlapMs);
      const next = new Set<string>();
      for (const change of changes) {
        const key = `${change.id} ${change.updatedAt.getTime()}`;
        next.add(key);
        if (!seen.has(key)) forget(change.id);
      }
      seen = next;
      feedSince = dbNow;
      feedReadAt = startedAt;
      if (feedStartedAt === Infinity) feedStartedAt = startedAt;
      return true;
    } catch {
      // The TTL covers what the feed missed; the next tick tries again.
      return false;
    }
  }

  function poll(): Promise<boolean> {
    return (polling ??= readFeed().finally(() => { polling = null; }));
  }

  function forget(id: string): void {
    forgets += 1;
    cache.delete(id);
  }

  const timer = feed ? setInterval(() => void poll(), opts.pollMs ?? accountFeedPollMs) : null;
  timer?.unref();
  if (feed) void poll();

  function flush(): void {
    scheduled = false;
    const ids = queued;
    queued = [];
    for (let i = 0; i < ids.length; i += loadBatchMax) void loadBatch(ids.slice(i, i + loadBatchMax));
  }

  return {
    fresh(id) {
      const entry = cache.get(id);
      if (entry === undefined) return undefined;
      const at = now();
      if (at - entry.loadedAt < ttlMs) return entry.state;
      // Older than the TTL: good while the feed, read lately, would have told us of a change since it was loaded.
      if (entry.loadedAt >= feedStartedAt && at - feedReadAt < ttlMs) return entry.state;
      return undefined;
    },
    load(id) {
      // Tokens are signed with uuids only; anything else names no account (and would break the batch's query).
      if (!uuid.test(id)) return Promise.resolve(null);
      const pending = waiting.get(id);
      if (pending !== undefined) return pending.promise;
      let resolve!: (s: AccountState | null) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<AccountState | null>((res, rej) => { resolve = res; reject = rej; });
      waiting.set(id, { promise, resolve, reject });
      queued.push(id);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return promise;
    },
    forget,
    poll,
    close() {
      if (timer !== null) clearInterval(timer);
    },
  };
}
