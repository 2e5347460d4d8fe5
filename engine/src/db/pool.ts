import pg from 'pg';

// bigint columns (prices, epochs) come back as JS numbers: every value we store
// is bounded far below 2^53 (see constants.ts), and a string would leak into JSON.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Db = pg.Pool;

export function createPool(url: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // An idle client that loses its server emits here; without a listener it would crash the process.
  pool.on('error', () => {});
  return pool;
}
