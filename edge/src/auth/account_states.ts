import { accountCacheMax, accountCacheTtlMs } from '../../../engine/src/constants.ts';
import { selectAccountStates, type AccountState } from '../../../engine/src/db/account_versions.ts';
import type { Db } from '../../../engine/src/db/pool.ts';

/**
 * The state of each account that tokens speak for, cached per node for
 * `accountCacheTtlMs` (see its comment for how long a revoked token may live
 * and why that is acceptable). The node that changes an account forgets its
 * entry at once. Misses are loaded in one query per event-loop turn, however
 * many requests need one.
 */
export type AccountStates = {
  /** The state when cached and fresh: null for a deleted or unknown account, undefined when it must be loaded. */
  fresh(id: string): AccountState | null | undefined;
  load(id: string): Promise<AccountState | null>;
  /** After this node changed the account: the next request reads it again. */
  forget(id: string): void;
};

type Entry = { state: AccountState | null; loadedAt: number };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids per query: a burst of first requests becomes a few queries, not one huge one. */
const loadBatchMax = 1_000;

export function createAccountStates(db: Db, opts: { ttlMs?: number; max?: number; now?: () => number } = {}): AccountStates {
  const ttlMs = opts.ttlMs ?? accountCacheTtlMs;
  const max = opts.max ?? accountCacheMax;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const waiting = new Map<string, { promise: Promise<AccountState | null>; resolve: (s: AccountState | null) => void; reject: (e: unknown) => void }>();
  let queued: string[] = [];
  let scheduled = false;
  // Raised by forget(): a load that began before a change must not cache what it read.
  let forgets = 0;

  function remember(id: string, state: AccountState | null): void {
    cache.delete(id);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(id, { state, loadedAt: now() });
  }

  async function loadBatch(ids: string[]): Promise<void> {
    const forgetsBefore = forgets;
    try {
      const found = new Map((await selectAccountStates(db, ids)).map((s) => [s.id, s]));
      for (const id of ids) {
        const state = found.get(id) ?? null;
        if (forgets === forgetsBefore) remember(id, state);
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

  function flush(): void {
    scheduled = false;
    const ids = queued;
    queued = [];
    for (let i = 0; i < ids.length; i += loadBatchMax) void loadBatch(ids.slice(i, i + loadBatchMax));
  }

  return {
    fresh(id) {
      const entry = cache.get(id);
      if (entry === undefined || now() - entry.loadedAt >= ttlMs) return undefined;
      return entry.state;
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
    forget(id) {
      forgets += 1;
      cache.delete(id);
    },
  };
}
