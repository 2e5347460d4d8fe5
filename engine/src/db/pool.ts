import pg from 'pg';
import { pgConnectTimeoutMs, pgKeepAliveDelayMs, pgRequestQueryTimeoutMs } from '../constants.ts';

// bigint columns (prices, epochs) come back as JS numbers: every value we store
// is bounded far below 2^53 (see constants.ts), and a string would leak into JSON.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Db = pg.Pool;

/**
 * For every connection to PostgreSQL (this pool, the shard workers', pg-boss's):
 * a dead link is noticed within seconds instead of waiting on TCP
 * retransmission backoff (constants.ts). `query_timeout` is client-side: the
 * statement fails with "Query read timeout" and a pool destroys the connection;
 * the server may still run it, so a caller treats it as any failed statement.
 */
export const pgLinkOptions = {
  connectionTimeoutMillis: pgConnectTimeoutMs,
  keepAlive: true,
  keepAliveInitialDelayMillis: pgKeepAliveDelayMs,
} as const;

/**
 * Statements fail after `queryTimeoutMs` (0: never). Migrations (migrate.ts)
 * set their own, longer timeout per statement.
 */
export function createPool(url: string, max = 10, queryTimeoutMs = pgRequestQueryTimeoutMs): Db {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, ...pgLinkOptions, ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}) });
  // An idle client that loses its server emits here; without a listener it would crash the process.
  pool.on('error', () => {});
  return pool;
}

/** Whether the database answers a trivial statement within `timeoutMs`; never throws (the health check). */
export async function dbReachable(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([db.query('SELECT 1').then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
