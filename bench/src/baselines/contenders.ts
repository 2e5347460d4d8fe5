import type { Redis } from 'ioredis';
import type { PoolClient } from 'pg';
import { createPool, type Db } from '../../../engine/src/db/pool.ts';
import type { BaselineName } from './names.ts';

/**
 * What each peer baseline does for one hold, how it lays out its stock, and
 * how it is checked for oversell afterwards. The HTTP front (baselines/server.ts,
 * a child process) calls `hold`; the bench (and the tests) call `prepare*` before
 * and `check*` after a run, from outside.
 *
 * Every PostgreSQL baseline commits each hold before it answers, on a
 * connection with `synchronous_commit = on` (set per session, so a server
 * default of off cannot make a baseline look faster than it is durable).
 *
 * `broken: true` removes what makes a baseline correct (the row lock, the
 * advisory lock, SKIP LOCKED, the atomic script) and waits 1 ms between its
 * read and its write, so that concurrent holds race: the tests prove that the
 * checkers catch the oversell that follows.
 */

export type HoldOutcome = { holdId: string } | 'sold_out';
export type Verdict = { ok: boolean; detail: string };
export type Contender = { hold: (typeId: string, quantity: number, key: string) => Promise<HoldOutcome> };
export type ContenderOptions = { broken?: boolean };

/** Holds live this long (recorded, never expired during a run: the same as the holds scenario's 480 s). */
export const holdTtlSeconds = 480;
/** skip-locked pre-creates one row per ticket: past this many the bench creates no more (a run sells far fewer). */
export const ticketRowsMax = 500_000;

/** A pool whose every connection commits with `synchronous_commit = on`, whatever the server's default. */
export function durablePool(url: string, size: number): Db {
  const db = createPool(url, size);
  db.on('connect', (client) => void client.query('SET synchronous_commit = on').catch(() => {}));
  return db;
}

const raceWindow = () => new Promise((resolve) => setTimeout(resolve, 1));

// ---------------------------------------------------------------- PostgreSQL

type PgKind = 'row-lock' | 'advisory-lock' | 'skip-locked';

/** Drops and creates the baseline's tables, and one ticket type of `capacity`; returns its id. */
export async function preparePg(kind: PgKind, db: Db, capacity: number): Promise<{ typeId: string; capacity: number }> {
  await db.query('DROP TABLE IF EXISTS bench_tickets, bench_holds, bench_ticket_types');
  await db.query(`CREATE TABLE bench_ticket_types (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    capacity int NOT NULL,
    sold int NOT NULL DEFAULT 0,
    held int NOT NULL DEFAULT 0)`);
  await db.query(`CREATE TABLE bench_holds (
    id bigserial PRIMARY KEY,
    type_id uuid NOT NULL REFERENCES bench_ticket_types (id),
    quantity int NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL)`);
  let rows = capacity;
  if (kind === 'skip-locked') {
    rows = Math.min(capacity, ticketRowsMax);
    await db.query(`CREATE TABLE bench_tickets (
      id bigserial PRIMARY KEY,
      type_id uuid NOT NULL REFERENCES bench_ticket_types (id),
      hold_id bigint REFERENCES bench_holds (id))`);
  }
  const { rows: types } = await db.query<{ id: string }>('INSERT INTO bench_ticket_types (capacity) VALUES ($1) RETURNING id::text AS id', [rows]);
  const typeId = types[0]!.id;
  if (kind === 'skip-locked') {
    await db.query('INSERT INTO bench_tickets (type_id) SELECT $1 FROM generate_series(1, $2::int)', [typeId, rows]);
    // alf.io's lookup: the free tickets of a type.
    await db.query('CREATE INDEX bench_tickets_free ON bench_tickets (type_id) WHERE hold_id IS NULL');
  }
  await db.query('ANALYZE bench_ticket_types, bench_holds');
  if (kind === 'skip-locked') await db.query('ANALYZE bench_tickets');
  return { typeId, capacity: rows };
}

/**
 * Oversell check. row-lock and advisory-lock: the holds recorded add up to the
 * type's `held`, and sold + held, and the holds themselves, stay within capacity.
 * skip-locked: every hold owns exactly as many tickets as it asked for (a ticket
 * taken twice leaves the first hold short), and no more tickets held than exist.
 */
export async function checkPg(kind: PgKind, db: Db, typeId: string): Promise<Verdict> {
  // One snapshot for both queries: a hold that commits between them cannot look like an oversell.
  const client = await db.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await checkPgIn(kind, client, typeId);
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

async function checkPgIn(kind: PgKind, db: PoolClient, typeId: string): Promise<Verdict> {
  const { rows } = await db.query<{ capacity: number; sold: number; held: number; holds: number; held_qty: number }>(
    `SELECT t.capacity, t.sold, t.held, count(h.id)::int AS holds, coalesce(sum(h.quantity), 0)::int AS held_qty
       FROM bench_ticket_types t LEFT JOIN bench_holds h ON h.type_id = t.id
      WHERE t.id = $1 GROUP BY t.id`,
    [typeId],
  );
  const t = rows[0];
  if (!t) return { ok: false, detail: `ticket type ${typeId} not found` };
  if (kind === 'skip-locked') {
    const { rows: tickets } = await db.query<{ taken: number; short: number; short_by: number }>(
      `WITH owned AS (
         SELECT h.id, h.quantity, count(k.id)::int AS got
           FROM bench_holds h LEFT JOIN bench_tickets k ON k.hold_id = h.id
          WHERE h.type_id = $1 GROUP BY h.id)
       SELECT (SELECT count(*)::int FROM bench_tickets WHERE type_id = $1 AND hold_id IS NOT NULL) AS taken,
              count(*) FILTER (WHERE got <> quantity)::int AS short,
              coalesce(sum(quantity - got), 0)::int AS short_by
         FROM owned`,
      [typeId],
    );
    const k = tickets[0]!;
    const ok = k.short === 0 && t.held_qty <= t.capacity && k.taken <= t.capacity;
    return {
      ok,
      detail: `${t.holds} holds of ${t.held_qty} tickets, ${k.taken} ticket rows taken of ${t.capacity}; holds short of their tickets: ${k.short} (by ${k.short_by})`,
    };
  }
  const out = t.sold + t.held;
  const ok = t.held_qty <= t.capacity && out <= t.capacity && t.held === t.held_qty;
  return { ok, detail: `holds sum ${t.held_qty} (${t.holds} holds), sold ${t.sold} + held ${t.held} = ${out} <= capacity ${t.capacity}` };
}

/** The hold of one PostgreSQL baseline, through `db` (a pool). */
export function pgContender(kind: PgKind, db: Db, opts: ContenderOptions = {}): Contender {
  const broken = opts.broken === true;
  return {
    hold: async (typeId, quantity, key) => {
      const client = await db.connect();
      let done = false;
      try {
        await client.query('BEGIN');
        const outcome = await (kind === 'skip-locked' ? skipLocked(client, typeId, quantity, key, broken) : counted(kind, client, typeId, quantity, key, broken));
        await client.query(outcome === 'sold_out' ? 'ROLLBACK' : 'COMMIT');
        done = true;
        return outcome;
      } finally {
        if (!done) await client.query('ROLLBACK').catch(() => {});
        client.release();
      }
    },
  };
}

type Client = PoolClient;

/** A hold replayed with the same Idempotency-Key answers the first one's id. */
async function insertHold(client: Client, typeId: string, quantity: number, key: string): Promise<{ id: string; replay: boolean }> {
  const inserted = await client.query<{ id: string }>({
    name: 'bench-insert-hold',
    text: `INSERT INTO bench_holds (type_id, quantity, idempotency_key, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING id::text AS id`,
    values: [typeId, quantity, key, holdTtlSeconds],
  });
  if (inserted.rows[0]) return { id: inserted.rows[0].id, replay: false };
  const first = await client.query<{ id: string }>({ name: 'bench-find-hold', text: 'SELECT id::text AS id FROM bench_holds WHERE idempotency_key = $1', values: [key] });
  return { id: first.rows[0]!.id, replay: true };
}

/** row-lock and advisory-lock: lock, read the counters, check, insert the hold, count it. */
async function counted(kind: 'row-lock' | 'advisory-lock', client: Client, typeId: string, quantity: number, key: string, broken: boolean): Promise<HoldOutcome> {
  if (kind === 'advisory-lock' && !broken) {
    await client.query({ name: 'bench-advisory', text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [typeId] });
  }
  const lock = kind === 'row-lock' && !broken ? ' FOR UPDATE' : '';
  const read = await client.query<{ capacity: number; sold: number; held: number }>({
    name: `bench-read-type${lock ? '-lock' : ''}`,
    text: `SELECT capacity, sold, held FROM bench_ticket_types WHERE id = $1${lock}`,
    values: [typeId],
  });
  const type = read.rows[0];
  if (!type) throw new Error(`unknown ticket type ${typeId}`);
  if (type.sold + type.held + quantity > type.capacity) return 'sold_out';
  if (broken) await raceWindow();
  const hold = await insertHold(client, typeId, quantity, key);
  if (hold.replay) return { holdId: hold.id };
  await client.query({ name: 'bench-count-held', text: 'UPDATE bench_ticket_types SET held = held + $2 WHERE id = $1', values: [typeId, quantity] });
  return { holdId: hold.id };
}

/** skip-locked (alf.io): insert the hold, then take `quantity` free ticket rows that no one else has locked. */
async function skipLocked(client: Client, typeId: string, quantity: number, key: string, broken: boolean): Promise<HoldOutcome> {
  const hold = await insertHold(client, typeId, quantity, key);
  if (hold.replay) return { holdId: hold.id };
  let taken: number;
  if (broken) {
    // Read the free rows with no lock, then take them: two holds can take the same tickets.
    const free = await client.query<{ id: string }>({
      name: 'bench-free-nolock',
      text: 'SELECT id FROM bench_tickets WHERE type_id = $1 AND hold_id IS NULL LIMIT $2',
      values: [typeId, quantity],
    });
    if (free.rows.length < quantity) return 'sold_out';
    await raceWindow();
    const update = await client.query({ name: 'bench-take-ids', text: 'UPDATE bench_tickets SET hold_id = $2 WHERE id = ANY($1::bigint[])', values: [free.rows.map((r) => r.id), hold.id] });
    taken = update.rowCount ?? 0;
  } else {
    const update = await client.query({
      name: 'bench-take-skip-locked',
      text: `UPDATE bench_tickets SET hold_id = $2 WHERE id IN (
               SELECT id FROM bench_tickets WHERE type_id = $1 AND hold_id IS NULL LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING id`,
      values: [typeId, hold.id, quantity],
    });
    taken = update.rowCount ?? 0;
  }
  return taken < quantity ? 'sold_out' : { holdId: hold.id };
}

// ---------------------------------------------------------------- Redis

/** Keys of one ticket type: its stock, its holds (id -> quantity), idempotency keys (key -> hold id), expiries. */
export function redisKeys(prefix: string, typeId: string): [string, string, string, string] {
  const base = `${prefix}{${typeId}}:`;
  return [`${base}stock`, `${base}holds`, `${base}idem`, `${base}expiry`];
}

/**
 * KEYS: stock, holds, idem, expiry. ARGV: quantity, hold id, idempotency key, expiry (ms).
 * Returns the hold id (the first one's, for a replayed key), or false when too few remain.
 */
export const holdScript = `
local first = redis.call('HGET', KEYS[3], ARGV[3])
if first then return first end
local qty = tonumber(ARGV[1])
local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
if stock < qty then return false end
redis.call('DECRBY', KEYS[1], qty)
redis.call('HSET', KEYS[2], ARGV[2], qty)
redis.call('HSET', KEYS[3], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
return ARGV[2]
`;

export async function prepareRedis(redis: Redis, prefix: string, capacity: number): Promise<{ typeId: string; capacity: number }> {
  const typeId = crypto.randomUUID();
  const [stock, holds, idem, expiry] = redisKeys(prefix, typeId);
  await redis.del(stock, holds, idem, expiry);
  await redis.set(stock, capacity);
  await redis.set(`${prefix}{${typeId}}:capacity`, capacity);
  return { typeId, capacity };
}

/** Stock never below zero, holds within capacity, and stock + holds = capacity (nothing made or lost). */
export async function checkRedis(redis: Redis, prefix: string, typeId: string): Promise<Verdict> {
  const [stockKey, holdsKey] = redisKeys(prefix, typeId);
  const capacity = Number(await redis.get(`${prefix}{${typeId}}:capacity`));
  const stock = Number(await redis.get(stockKey));
  let held = 0;
  let holds = 0;
  let cursor = '0';
  do {
    const [next, fields] = await redis.hscan(holdsKey, cursor, 'COUNT', 1000);
    for (let i = 1; i < fields.length; i += 2) held += Number(fields[i]);
    holds += fields.length / 2;
    cursor = next;
  } while (cursor !== '0');
  const ok = stock >= 0 && held <= capacity && stock + held === capacity;
  return { ok, detail: `stock ${stock} >= 0, holds sum ${held} (${holds} holds) <= capacity ${capacity}, stock + holds = ${stock + held}` };
}

export function redisContender(redis: Redis, prefix: string, opts: ContenderOptions = {}): Contender {
  if (opts.broken) {
    // Read, then write, in separate commands: two holds can both see the last ticket.
    return {
      hold: async (typeId, quantity, key) => {
        const [stock, holds, idem, expiry] = redisKeys(prefix, typeId);
        if (Number(await redis.get(stock)) < quantity) return 'sold_out';
        await raceWindow();
        const holdId = crypto.randomUUID();
        await redis.multi().decrby(stock, quantity).hset(holds, holdId, quantity).hset(idem, key, holdId).zadd(expiry, Date.now() + holdTtlSeconds * 1000, holdId).exec();
        return { holdId };
      },
    };
  }
  let sha: string | undefined;
  const load = async () => (sha = (await redis.script('LOAD', holdScript)) as string);
  return {
    hold: async (typeId, quantity, key) => {
      if (sha === undefined) await load();
      const args = [...redisKeys(prefix, typeId), quantity, crypto.randomUUID(), key, Date.now() + holdTtlSeconds * 1000];
      let result: unknown;
      try {
        result = await redis.evalsha(sha!, 4, ...args);
      } catch (error) {
        // A Redis that restarted has forgotten the script.
        if (!/NOSCRIPT/.test((error as Error).message)) throw error;
        await load();
        result = await redis.evalsha(sha!, 4, ...args);
      }
      return typeof result === 'string' ? { holdId: result } : 'sold_out';
    },
  };
}

export type { BaselineName };
