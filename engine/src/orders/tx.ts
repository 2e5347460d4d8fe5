import type pg from 'pg';
import type { Db } from '../db/pool.ts';

/** A client inside a transaction or holding an order's lock. */
export type Tx = pg.PoolClient;

/**
 * Runs `work` on one client holding a session advisory lock on the order, so
 * two runs for one order never overlap. Everything `work` does goes through
 * that client (one connection per job: no waiting on a second one). The lock
 * is released before the client goes back to the pool; a client that cannot
 * release it is destroyed, never reused while holding it.
 */
export async function withOrderLock<T>(db: Db, orderId: string, work: (client: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await client.query("SELECT pg_advisory_lock(hashtextextended('order:' || $1, 0))", [orderId]);
    try {
      return await work(client);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtextextended('order:' || $1, 0))", [orderId]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    client.release(broken);
  }
}
