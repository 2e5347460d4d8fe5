import type { EventConfig, TypeConfig } from '../inventory/types.ts';
import type { Db } from './pool.ts';
import { posterColumn, posterOfJson, type PosterRow } from './posters.ts';

/** `retired`: no longer sold; its tickets, orders and payouts stay (migration 0014). */
export type TicketTypeRow = { id: string; name: string; price: number; capacity: number; position: number; retired: boolean };

/** A draft is seen by its organizer only (not listed, 404 to others, no holds or queue); publishing is one way. */
export type EventStatus = 'draft' | 'published';

/** What an event says about itself beyond its name (migration 0014): plain text, never HTML. */
export type EventDetails = {
  description?: string;
  address?: string;
  /** Both or neither. */
  latitude?: number | null;
  longitude?: number | null;
  /** IANA zone its times are shown in, e.g. Africa/Tunis. */
  timeZone?: string;
};

export type EventRow = {
  id: string;
  organizerId: string;
  name: string;
  venue: string;
  startsAt: Date;
  endsAt: Date | null;
  saleStartsAt: Date | null;
  saleEndsAt: Date | null;
  currency: string;
  perBuyerLimit: number;
  holdTtlSeconds: number;
  shard: number;
  ticketTypes: TicketTypeRow[];
  /** Who may ask for a refund: nobody but the organizer, buyers until N days before the start, or buyers always. */
  refundPolicy: RefundPolicy;
  refundUntilDays: number | null;
  /** Fixed when the event is created, so a later platform change never re-prices past sales. */
  platformFeeBps: number;
  /** event-reminder goes out this many hours before startsAt; null: none. */
  reminderHours: number | null;
  /** The event's poster (#14), read with the event; absent on a row made without reading it (a new event has none). */
  poster?: PosterRow | null;
  status: EventStatus;
  publishedAt: Date | null;
  description: string;
  address: string;
  latitude: number | null;
  longitude: number | null;
  timeZone: string;
  /** When its organizer cancelled it (migration 0018); null while it is on. */
  cancelledAt: Date | null;
};

export type RefundPolicy = 'none' | 'until' | 'always';

/** Money and notification settings of an event (migration 0002); omitted fields keep their defaults. */
export type EventMoneySettings = {
  refundPolicy?: RefundPolicy;
  refundUntilDays?: number | null;
  platformFeeBps?: number;
  reminderHours?: number | null;
};

/** A new event; its id is made by the caller (crypto.randomUUID), so its shard is known before the insert. */
export type NewEvent = {
  id: string;
  name: string;
  venue: string;
  startsAt: Date;
  endsAt: Date | null;
  saleStartsAt: Date | null;
  saleEndsAt: Date | null;
  currency: string;
  perBuyerLimit: number;
  holdTtlSeconds: number;
  ticketTypes: { name: string; price: number; capacity: number }[];
  /** Default 'published' (the API before drafts); the storefront creates drafts. */
  status?: EventStatus;
} & EventMoneySettings & EventDetails;

/** What an organizer may change in Postgres directly. Capacity goes through the engine first (updateTicketTypeCapacity). */
export type EventPatch = {
  name?: string;
  venue?: string;
  perBuyerLimit?: number;
  holdTtlSeconds?: number;
  saleStartsAt?: Date | null;
  saleEndsAt?: Date | null;
  ticketTypes?: { id: string; name?: string; price?: number; retired?: boolean }[];
  startsAt?: Date;
  endsAt?: Date | null;
} & EventMoneySettings & EventDetails;

const eventColumns = `e.id, e.organizer_id AS "organizerId", e.name, e.venue, e.starts_at AS "startsAt", e.ends_at AS "endsAt",
  e.sale_starts_at AS "saleStartsAt", e.sale_ends_at AS "saleEndsAt", e.currency, e.per_buyer_limit AS "perBuyerLimit",
  e.hold_ttl_seconds AS "holdTtlSeconds", e.shard,
  e.refund_policy AS "refundPolicy", e.refund_until_days AS "refundUntilDays", e.platform_fee_bps AS "platformFeeBps", e.reminder_hours AS "reminderHours",
  e.status, e.published_at AS "publishedAt", e.description, e.address, e.latitude, e.longitude, e.time_zone AS "timeZone",
  e.cancelled_at AS "cancelledAt",
  COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'price', t.price, 'capacity', t.capacity, 'position', t.position,
                                              'retired', t.retired_at IS NOT NULL)
                            ORDER BY t.position)
            FROM ticket_types t WHERE t.event_id = e.id), '[]') AS "ticketTypes",
  ${posterColumn}`;

/** The poster comes back as JSON (its time a string): made a PosterRow. */
function eventOf(row: EventRow): EventRow {
  row.poster = posterOfJson(row.poster);
  return row;
}

/**
 * The event and its ticket types, in one transaction. Ticket type ids are made here, in `position` order.
 * `within` runs inside that transaction before it commits (e.g. to schedule the event's reminder job with it).
 */
export async function insertEvent(db: Db, organizerId: string, input: NewEvent, shard: number, within?: (tx: import('pg').PoolClient, event: EventRow) => Promise<void>): Promise<EventRow> {
  const typeIds = input.ticketTypes.map(() => crypto.randomUUID());
  let created: Pick<EventRow, 'refundPolicy' | 'refundUntilDays' | 'platformFeeBps' | 'reminderHours'> | undefined;
  const status = input.status ?? 'published';
  const details = {
    status, publishedAt: status === 'published' ? new Date() : null,
    description: input.description ?? '', address: input.address ?? '',
    latitude: input.latitude ?? null, longitude: input.longitude ?? null, timeZone: input.timeZone ?? 'UTC',
  };
  const rowOf = (money: NonNullable<typeof created>): EventRow => ({
    id: input.id, organizerId, name: input.name, venue: input.venue, startsAt: input.startsAt, endsAt: input.endsAt,
    saleStartsAt: input.saleStartsAt, saleEndsAt: input.saleEndsAt, currency: input.currency,
    perBuyerLimit: input.perBuyerLimit, holdTtlSeconds: input.holdTtlSeconds, shard,
    ticketTypes: input.ticketTypes.map((t, i) => ({ id: typeIds[i]!, name: t.name, price: t.price, capacity: t.capacity, position: i + 1, retired: false })),
    ...money, ...details,
    cancelledAt: null,
    poster: null,
  });
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO events (id, organizer_id, name, venue, starts_at, ends_at, sale_starts_at, sale_ends_at, currency, per_buyer_limit, hold_ttl_seconds, shard,
         status, published_at, description, address, latitude, longitude, time_zone)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [input.id, organizerId, input.name, input.venue, input.startsAt, input.endsAt, input.saleStartsAt, input.saleEndsAt,
        input.currency, input.perBuyerLimit, input.holdTtlSeconds, shard,
        details.status, details.publishedAt, details.description, details.address, details.latitude, details.longitude, details.timeZone],
    );
    await client.query(
      `INSERT INTO ticket_types (id, event_id, name, price, capacity, position)
       SELECT id, $1, name, price, capacity, position
       FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::int[]) WITH ORDINALITY AS t(id, name, price, capacity, position)`,
      [input.id, typeIds, input.ticketTypes.map((t) => t.name), input.ticketTypes.map((t) => t.price), input.ticketTypes.map((t) => t.capacity)],
    );
    const money = await client.query<Pick<EventRow, 'refundPolicy' | 'refundUntilDays' | 'platformFeeBps' | 'reminderHours'>>(
      `UPDATE events SET refund_policy = COALESCE($2, refund_policy), refund_until_days = $3,
         platform_fee_bps = COALESCE($4, platform_fee_bps), reminder_hours = CASE WHEN $5 THEN $6::int ELSE reminder_hours END
       WHERE id = $1
       RETURNING refund_policy AS "refundPolicy", refund_until_days AS "refundUntilDays", platform_fee_bps AS "platformFeeBps", reminder_hours AS "reminderHours"`,
      [input.id, input.refundPolicy ?? null, input.refundUntilDays ?? null, input.platformFeeBps ?? null, input.reminderHours !== undefined, input.reminderHours ?? null],
    );
    created = money.rows[0]!;
    if (within !== undefined) await within(client, rowOf(created));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return rowOf(created!);
}

export async function selectEvent(db: Db, id: string): Promise<EventRow | null> {
  const { rows } = await db.query<EventRow>(`SELECT ${eventColumns} FROM events e WHERE e.id = $1`, [id]);
  return rows[0] === undefined ? null : eventOf(rows[0]);
}

/**
 * Who may see an event while it is a draft, without reading the event: its
 * status, its organizer and whether `accountId` is on its door staff (false
 * for null). Null when there is no such event.
 */
export async function selectEventAccess(db: Db, eventId: string, accountId: string | null): Promise<{ status: EventStatus; organizerId: string; staff: boolean } | null> {
  const { rows } = await db.query<{ status: EventStatus; organizerId: string; staff: boolean }>(
    `SELECT e.status, e.organizer_id AS "organizerId",
            EXISTS (SELECT 1 FROM event_staff s WHERE s.event_id = e.id AND s.account_id = $2) AS staff
       FROM events e WHERE e.id = $1`, [eventId, accountId]);
  return rows[0] ?? null;
}

export async function selectEventsOfOrganizer(db: Db, organizerId: string, limit = 200): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${eventColumns} FROM events e WHERE e.organizer_id = $1 ORDER BY e.starts_at DESC, e.id LIMIT $2`,
    [organizerId, limit],
  );
  return rows.map(eventOf);
}

/** Published events that have not ended yet, soonest first (drafts are their organizer's only). */
export async function selectPublishedEvents(db: Db, limit: number): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${eventColumns} FROM events e WHERE e.status = 'published' AND COALESCE(e.ends_at, e.starts_at) >= now() ORDER BY e.starts_at, e.id LIMIT $1`,
    [limit],
  );
  return rows.map(eventOf);
}

/** Applies `patch` in one transaction; the updated event, or null when there is no such event. */
export async function updateEvent(db: Db, id: string, patch: EventPatch): Promise<EventRow | null> {
  const values: unknown[] = [id];
  const sets: string[] = ['updated_at = now()'];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (patch.name !== undefined) set('name', patch.name);
  if (patch.venue !== undefined) set('venue', patch.venue);
  if (patch.perBuyerLimit !== undefined) set('per_buyer_limit', patch.perBuyerLimit);
  if (patch.holdTtlSeconds !== undefined) set('hold_ttl_seconds', patch.holdTtlSeconds);
  if (patch.saleStartsAt !== undefined) set('sale_starts_at', patch.saleStartsAt);
  if (patch.saleEndsAt !== undefined) set('sale_ends_at', patch.saleEndsAt);
  if (patch.refundPolicy !== undefined) set('refund_policy', patch.refundPolicy);
  // Only 'until' has a number of days (a CHECK in 0002): any other policy clears it.
  if (patch.refundPolicy !== undefined || patch.refundUntilDays !== undefined) set('refund_until_days', patch.refundUntilDays ?? null);
  if (patch.platformFeeBps !== undefined) set('platform_fee_bps', patch.platformFeeBps);
  if (patch.reminderHours !== undefined) set('reminder_hours', patch.reminderHours);
  if (patch.startsAt !== undefined) set('starts_at', patch.startsAt);
  if (patch.endsAt !== undefined) set('ends_at', patch.endsAt);
  if (patch.description !== undefined) set('description', patch.description);
  if (patch.address !== undefined) set('address', patch.address);
  if (patch.latitude !== undefined) set('latitude', patch.latitude);
  if (patch.longitude !== undefined) set('longitude', patch.longitude);
  if (patch.timeZone !== undefined) set('time_zone', patch.timeZone);
  const types = (patch.ticketTypes ?? []).filter((t) => t.name !== undefined || t.price !== undefined || t.retired !== undefined);
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const updated = await client.query(`UPDATE events SET ${sets.join(', ')} WHERE id = $1`, values);
    if (updated.rowCount === 0) {
      await client.query('ROLLBACK');
      return null;
    }
    if (types.length > 0) {
      await client.query(
        `UPDATE ticket_types t SET name = COALESCE(u.name, t.name), price = COALESCE(u.price, t.price),
           retired_at = CASE WHEN u.retired IS NULL THEN t.retired_at WHEN u.retired THEN COALESCE(t.retired_at, now()) ELSE NULL END
         FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::boolean[]) AS u(id, name, price, retired)
         WHERE t.id = u.id AND t.event_id = $1`,
        [id, types.map((t) => t.id), types.map((t) => t.name ?? null), types.map((t) => t.price ?? null), types.map((t) => t.retired ?? null)],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return selectEvent(db, id);
}

/** New ticket types of an event, after its others (position order); their ids, in the order given. */
export async function insertTicketTypes(db: Db, eventId: string, types: { name: string; price: number; capacity: number }[]): Promise<string[]> {
  const ids = types.map(() => crypto.randomUUID());
  await db.query(
    `INSERT INTO ticket_types (id, event_id, name, price, capacity, position)
     SELECT t.id, $1, t.name, t.price, t.capacity, t.n + (SELECT COALESCE(max(position), 0) FROM ticket_types WHERE event_id = $1)
     FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::int[]) WITH ORDINALITY AS t(id, name, price, capacity, n)`,
    [eventId, ids, types.map((t) => t.name), types.map((t) => t.price), types.map((t) => t.capacity)],
  );
  return ids;
}

/** Publishes a draft once; the event, or null when there is no such event. Publishing again changes nothing. */
export async function publishEvent(db: Db, id: string): Promise<EventRow | null> {
  await db.query(`UPDATE events SET status = 'published', published_at = COALESCE(published_at, now()), updated_at = now() WHERE id = $1`, [id]);
  return selectEvent(db, id);
}

/** Called after the engine accepted the change (its journal is authoritative; this keeps the row readable). */
export async function updateTicketTypeCapacity(db: Db, eventId: string, typeId: string, capacity: number): Promise<void> {
  await db.query('UPDATE ticket_types SET capacity = $3 WHERE id = $2 AND event_id = $1', [eventId, typeId, capacity]);
}

type ConfigRow = {
  eventId: string;
  shard: number;
  currency: string;
  perBuyerLimit: number;
  holdTtlSeconds: number;
  saleStartsAt: Date | null;
  saleEndsAt: Date | null;
  draft: boolean;
  cancelled: boolean;
  types: TypeConfig[];
};

// Retired types stay listed (flagged) so the journal's entries for them replay on recovery; the actor does not sell them.
const configColumns = `e.id AS "eventId", e.shard, e.currency, e.per_buyer_limit AS "perBuyerLimit", e.hold_ttl_seconds AS "holdTtlSeconds",
  e.sale_starts_at AS "saleStartsAt", e.sale_ends_at AS "saleEndsAt", e.status = 'draft' AS draft,
  e.cancelled_at IS NOT NULL AS cancelled,
  COALESCE((SELECT json_agg(json_build_object('typeId', t.id, 'price', t.price, 'capacity', t.capacity, 'retired', t.retired_at IS NOT NULL) ORDER BY t.position)
            FROM ticket_types t WHERE t.event_id = e.id), '[]') AS types`;

function toConfig(r: ConfigRow): EventConfig {
  const types = r.types.map((t) => (t.retired === true ? t : { typeId: t.typeId, price: t.price, capacity: t.capacity }));
  const config: EventConfig = {
    eventId: r.eventId,
    shard: r.shard,
    currency: r.currency,
    perBuyerLimit: r.perBuyerLimit,
    holdTtlMs: r.holdTtlSeconds * 1000,
    saleStartsAt: r.saleStartsAt === null ? null : r.saleStartsAt.getTime(),
    saleEndsAt: r.saleEndsAt === null ? null : r.saleEndsAt.getTime(),
    types,
  };
  if (r.draft) config.draft = true;
  if (r.cancelled) config.cancelled = true;
  return config;
}

/** What the inventory actor of `eventId` needs, or null when there is no such event. */
export async function selectEventConfig(db: Db, eventId: string): Promise<EventConfig | null> {
  const { rows } = await db.query<ConfigRow>(`SELECT ${configColumns} FROM events e WHERE e.id = $1`, [eventId]);
  return rows[0] === undefined ? null : toConfig(rows[0]);
}

/** Every event of the given shards: what a worker loads when it takes them. */
export async function selectEventConfigsOfShards(db: Db, shards: number[]): Promise<EventConfig[]> {
  const { rows } = await db.query<ConfigRow>(`SELECT ${configColumns} FROM events e WHERE e.shard = ANY($1::int[])`, [shards]);
  return rows.map(toConfig);
}
