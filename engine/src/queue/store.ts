import type { Db } from '../db/pool.ts';
import type { RestoredQueue } from './actor.ts';
import { commitment, newSeed } from './lottery.ts';
import type { DropSettings, HoldRequirement, LotterySecret } from './types.ts';

/*
 * The queue's tables (migrations/0004_queue.sql), one small query per
 * function. drop_settings is written by the edge (the organizer); queue_state
 * and queue_places by the queue actor, fenced (queue/commit.ts), except the
 * seed, made here once.
 */

type SettingsRow = {
  queueEnabled: boolean;
  opensAt: Date | null;
  rate: number | null;
  ttlSeconds: number;
  powBits: number;
  paused: boolean;
  holdRequires: HoldRequirement;
  perAddressMax: number | null;
};

const settingsColumns = `queue_enabled AS "queueEnabled", waiting_room_opens_at AS "opensAt", admission_rate_per_minute AS rate,
  admission_token_ttl_seconds AS "ttlSeconds", pow_bits AS "powBits", paused, hold_requires AS "holdRequires",
  holds_per_address_max AS "perAddressMax"`;

function toSettings(r: SettingsRow): DropSettings {
  return {
    queueEnabled: r.queueEnabled,
    waitingRoomOpensAt: r.opensAt === null ? null : r.opensAt.getTime(),
    ratePerMinute: r.rate === null ? 'auto' : r.rate,
    admissionTokenTtlMs: r.ttlSeconds * 1000,
    powBits: r.powBits,
    paused: r.paused,
    holdRequires: r.holdRequires,
    holdsPerAddressMax: r.perAddressMax,
  };
}

export async function selectDropSettings(db: Db, eventId: string): Promise<DropSettings | null> {
  const { rows } = await db.query<SettingsRow>(`SELECT ${settingsColumns} FROM drop_settings WHERE event_id = $1`, [eventId]);
  return rows[0] === undefined ? null : toSettings(rows[0]);
}

export async function upsertDropSettings(db: Db, eventId: string, s: DropSettings): Promise<void> {
  await db.query(
    `INSERT INTO drop_settings (event_id, queue_enabled, waiting_room_opens_at, admission_rate_per_minute, admission_token_ttl_seconds, pow_bits, paused,
       hold_requires, holds_per_address_max)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (event_id) DO UPDATE SET queue_enabled = excluded.queue_enabled, waiting_room_opens_at = excluded.waiting_room_opens_at,
       admission_rate_per_minute = excluded.admission_rate_per_minute, admission_token_ttl_seconds = excluded.admission_token_ttl_seconds,
       pow_bits = excluded.pow_bits, paused = excluded.paused, hold_requires = excluded.hold_requires,
       holds_per_address_max = excluded.holds_per_address_max, updated_at = now()`,
    [eventId, s.queueEnabled, s.waitingRoomOpensAt === null ? null : new Date(s.waitingRoomOpensAt), s.ratePerMinute === 'auto' ? null : s.ratePerMinute,
      Math.round(s.admissionTokenTtlMs / 1000), s.powBits, s.paused, s.holdRequires, s.holdsPerAddressMax],
  );
}

/** The drop's lottery seed and commitment, made on first call and never changed: durable before it is published. */
export async function ensureLotterySecret(db: Db, eventId: string): Promise<LotterySecret> {
  const seed = newSeed();
  const { rows } = await db.query<{ seed: Buffer; commitment: string }>(
    `WITH made AS (
       INSERT INTO queue_state (event_id, seed, commitment) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING RETURNING seed, commitment
     )
     SELECT seed, commitment FROM made UNION ALL SELECT seed, commitment FROM queue_state WHERE event_id = $1 LIMIT 1`,
    [eventId, seed, commitment(seed)],
  );
  const row = rows[0]!;
  return { seedHex: row.seed.toString('hex'), commitment: row.commitment };
}

/** Everything a worker needs to bring a drop's queue back; null when the drop never had one. */
export async function selectRestoredQueue(db: Db, eventId: string): Promise<RestoredQueue | null> {
  const settings = await selectDropSettings(db, eventId);
  if (settings === null) return null;
  const state = await db.query<{ seed: Buffer; commitment: string; drawnCount: number | null; head: number }>(
    'SELECT seed, commitment, drawn_count AS "drawnCount", head FROM queue_state WHERE event_id = $1', [eventId]);
  const s = state.rows[0];
  if (s === undefined) return null;
  const places = await db.query<{ seq: number; buyer: string; queueTicketId: string; joinedAt: Date }>(
    'SELECT seq, buyer_id AS buyer, ticket_id AS "queueTicketId", joined_at AS "joinedAt" FROM queue_places WHERE event_id = $1 ORDER BY seq', [eventId]);
  return {
    settings,
    secret: { seedHex: s.seed.toString('hex'), commitment: s.commitment },
    drawnCount: s.drawnCount,
    head: s.head,
    places: places.rows.map((r) => ({ seq: r.seq, buyer: r.buyer, queueTicketId: r.queueTicketId, joinedAt: r.joinedAt.getTime() })),
  };
}

export type PublishedProof = {
  commitment: string;
  /** Hex, once the lottery is drawn. */
  seed: string | null;
  drawnAt: Date | null;
  /** The queue ticket ids the lottery ordered, in join order; null before the draw. */
  joinedQueueTicketIds: string[] | null;
};

/** What GET /queue/proof publishes; null when the drop has no queue. */
export async function selectProof(db: Db, eventId: string): Promise<PublishedProof | null> {
  const state = await db.query<{ seed: Buffer; commitment: string; drawnCount: number | null; drawnAt: Date | null }>(
    'SELECT seed, commitment, drawn_count AS "drawnCount", drawn_at AS "drawnAt" FROM queue_state WHERE event_id = $1', [eventId]);
  const s = state.rows[0];
  if (s === undefined) return null;
  if (s.drawnCount === null) return { commitment: s.commitment, seed: null, drawnAt: null, joinedQueueTicketIds: null };
  const ids = await db.query<{ id: string }>('SELECT ticket_id AS id FROM queue_places WHERE event_id = $1 AND seq <= $2 ORDER BY seq', [eventId, s.drawnCount]);
  return { commitment: s.commitment, seed: s.seed.toString('hex'), drawnAt: s.drawnAt, joinedQueueTicketIds: ids.rows.map((r) => r.id) };
}

