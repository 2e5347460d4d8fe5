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

type AccountStatesOptions = { ttlMs?: number; max?: number; now?: () => number; feed?: boolean; pollMs?: number };

/**
 * `feed: false` keeps the TTL alone (a test's fake database has no feed); with
 * it (the default), a timer reads the feed every `pollMs`.
 */
export function createAccountStates(db: Db, opts: AccountStatesOptions = {}): AccountStates {
  return new AccountStateCache(db, opts);
}

class AccountStateCache implements AccountStates {
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;
  /** When the feed was last read whole (this node's clock), and what it had read: only entries loaded after its first read may outlive the TTL. */
  private feedReadAt = -Infinity;
  private feedStartedAt = Infinity;
  /** The database's clock at the last read; the next reads back from it by `accountFeedOverlapMs`, for transactions that committed late. */
  private feedSince: Date | null = null;
  /** Changes seen in the overlap, so each is forgotten once: id to updated_at (ms); a Map, not a set of joined strings, as a read after a drop's sign-ups has thousands of rows. */
  private seen = new Map<string, number>();
  private polling: Promise<boolean> | null = null;
  private readonly cache = new Map<string, Entry>();
  private readonly waiting = new Map<string, { promise: Promise<AccountState | null>; resolve: (s: AccountState | null) => void; reject: (e: unknown) => void }>();
  private queued: string[] = [];
  private scheduled = false;
  // Raised by forget(): a load that began before a change must not cache what it read.
  private forgets = 0;
  private readonly timer: NodeJS.Timeout | null;

  constructor(private readonly db: Db, opts: AccountStatesOptions) {
    this.ttlMs = opts.ttlMs ?? accountCacheTtlMs;
    this.max = opts.max ?? accountCacheMax;
    this.now = opts.now ?? Date.now;
    const feed = opts.feed ?? true;
    this.timer = feed ? setInterval(() => void this.poll(), opts.pollMs ?? accountFeedPollMs) : null;
    this.timer?.unref();
    if (feed) void this.poll();
  }

  fresh(id: string): AccountState | null | undefined {
    const entry = this.cache.get(id);
    if (entry === undefined) return undefined;
    const at = this.now();
    if (at - entry.loadedAt < this.ttlMs) return entry.state;
    // Older than the TTL: good while the feed, read lately, would have told us of a change since it was loaded.
    if (entry.loadedAt >= this.feedStartedAt && at - this.feedReadAt < this.ttlMs) return entry.state;
    return undefined;
  }

  load(id: string): Promise<AccountState | null> {
    // Tokens are signed with uuids only; anything else names no account (and would break the batch's query).
    if (!uuid.test(id)) return Promise.resolve(null);
    const pending = this.waiting.get(id);
    if (pending !== undefined) return pending.promise;
    let resolve!: (s: AccountState | null) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<AccountState | null>((res, rej) => { resolve = res; reject = rej; });
    this.waiting.set(id, { promise, resolve, reject });
    this.queued.push(id);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return promise;
  }

  forget(id: string): void {
    this.forgets += 1;
    this.cache.delete(id);
  }

  poll(): Promise<boolean> {
    return (this.polling ??= this.readFeed().finally(() => { this.polling = null; }));
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** `loadedAt`: when the query that read `state` began, so the entry is never younger than what it holds. */
  private remember(id: string, state: AccountState | null, loadedAt: number): void {
    this.cache.delete(id);
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, { state, loadedAt });
  }

  private flush(): void {
    this.scheduled = false;
    const ids = this.queued;
    this.queued = [];
    for (let i = 0; i < ids.length; i += loadBatchMax) void this.loadBatch(ids.slice(i, i + loadBatchMax));
  }

  private async loadBatch(ids: string[]): Promise<void> {
    const forgetsBefore = this.forgets;
    const startedAt = this.now();
    try {
      const found = new Map((await selectAccountStates(this.db, ids)).map((s) => [s.id, s]));
      for (const id of ids) {
        const state = found.get(id) ?? null;
        if (this.forgets === forgetsBefore) this.remember(id, state, startedAt);
        this.waiting.get(id)?.resolve(state);
        this.waiting.delete(id);
      }
    } catch (error) {
      for (const id of ids) {
        this.waiting.get(id)?.reject(error);
        this.waiting.delete(id);
      }
    }
  }

  private async readFeed(): Promise<boolean> {
    const startedAt = this.now();
    try {
      const { dbNow, changes } = await selectAccountChanges(this.db, this.feedSince, accountFeedOverlapMs);
      const next = new Map<string, number>();
      for (const change of changes) {
        const updatedAt = change.updatedAt.getTime();
        next.set(change.id, updatedAt);
        if (this.seen.get(change.id) !== updatedAt) this.forget(change.id);
      }
      this.seen = next;
      this.feedSince = dbNow;
      this.feedReadAt = startedAt;
      if (this.feedStartedAt === Infinity) this.feedStartedAt = startedAt;
      return true;
    } catch {
      // The TTL covers what the feed missed; the next tick tries again.
      return false;
    }
  }
}
