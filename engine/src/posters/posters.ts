import type { Db } from '../db/pool.ts';
import { deletePosterRow, posterKeysInUse, upsertPoster, type PosterRenditionRow, type PosterRow } from '../db/posters.ts';
import type { Logger } from '../log.ts';
import type { Rendered } from './render.ts';
import type { PosterStore } from './store.ts';

/**
 * Setting and removing an event's poster: the store's bytes and Postgres's
 * record kept in step.
 *
 * Renditions are written before the row that names them, so a served event
 * never names a missing file; a rendition no row names any more is deleted
 * after the row changed. Two events may carry the same picture (the same
 * keys), so "no row names it" is asked of Postgres, and every change holds
 * one advisory lock from the first write to the last delete: otherwise an
 * upload of the same picture for another event could be deleted between its
 * write and its row. Posters change rarely; one lock for all is enough.
 */

/** "posters" on a phone keypad, beside migrate.ts's lock. */
const posterLockId = 7_678_377;

type Deps = { db: Db; store: PosterStore; log: Logger };

async function underLock<T>(db: Db, work: (client: import('pg').PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [posterLockId]);
    try {
      return await work(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [posterLockId]);
    }
  } finally {
    client.release();
  }
}

/** Deletes those of `keys` no poster names. A failed delete leaves an unnamed file: logged, never an error to the organizer. */
async function dropUnused({ store, log }: Deps, client: import('pg').PoolClient, keys: string[]): Promise<void> {
  const inUse = await posterKeysInUse(client, keys);
  for (const key of keys) {
    if (inUse.has(key)) continue;
    try {
      await store.delete(key);
    } catch (error) {
      log('warn', `poster rendition ${key} is no longer used but could not be deleted from ${store.where}: ${String(error)}`);
    }
  }
}

export async function savePoster(deps: Deps, eventId: string, rendered: Rendered): Promise<PosterRow> {
  const renditions: PosterRenditionRow[] = rendered.renditions.map((r) => ({ key: r.key, format: r.format, width: r.width, height: r.height, bytes: r.bytes.length }));
  const keys = new Set(renditions.map((r) => r.key));
  return underLock(deps.db, async (client) => {
    let saved: Awaited<ReturnType<typeof upsertPoster>>;
    try {
      for (const r of rendered.renditions) await deps.store.put(r.key, r.bytes);
      await client.query('BEGIN');
      saved = await upsertPoster(client, eventId, { sourceFormat: rendered.source.format, width: rendered.source.width, height: rendered.source.height, renditions });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      // What this upload wrote and nothing names (it may name an older poster's key: those stay).
      await dropUnused(deps, client, [...keys]).catch(() => {});
      throw error;
    }
    await dropUnused(deps, client, saved.replaced.map((r) => r.key).filter((key) => !keys.has(key)));
    return saved.poster;
  });
}

/** True when the event had a poster. */
export async function removePoster(deps: Deps, eventId: string): Promise<boolean> {
  return underLock(deps.db, async (client) => {
    const removed = await deletePosterRow(client, eventId);
    if (removed === null) return false;
    await dropUnused(deps, client, removed.map((r) => r.key));
    return true;
  });
}
