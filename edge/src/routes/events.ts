import { randomUUID } from 'node:crypto';
import type { Config } from '../../../engine/src/config.ts';
import { insertEvent, publishEvent, selectEvent, selectEventsOfOrganizer, selectPublishedEvents, type EventRow } from '../../../engine/src/db/events.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { editEvent } from '../../../engine/src/events/edit.ts';
import { EventError, EventRefused } from '../../../engine/src/events/errors.ts';
import { reconfigureActor } from '../../../engine/src/events/reconfigure.ts';
import type { TypeAvailability } from '../../../engine/src/inventory/types.ts';
import { minorUnitExponent } from '../../../engine/src/money/currency_table.ts';
import { shardOf } from '../../../engine/src/shards.ts';
import { requireRole } from '../auth/guard.ts';
import { eventIdParam, isOwnEvent, requireOwnEvent } from '../auth/own_event.ts';
import { HttpError, outcomeToHttp } from '../http/errors.ts';
import type { EdgeMetrics } from '../http/metrics.ts';
import type { Router } from '../http/route.ts';
import { createEventSchema, defaultTimeZone, eventsListMax, eventsQuerySchema, parseBody, parseQuery, patchEventSchema, requireKnownCurrency } from '../validation.ts';
import type { Jobs } from '../../../engine/src/jobs/queues.ts';
import { scheduleEventReminder } from '../../../engine/src/mail/reminder_job.ts';
import { posterView } from '../../../engine/src/posters/view.ts';
import { EngineVerbs } from '../../../engine/src/engine_verbs.ts';

/** `jobs` schedules each event's reminder; without it (tests of the spine) no reminder is scheduled. */
export type EventsDeps = { config: Config; db: Db; engine: Engine; metrics: EdgeMetrics; jobs?: Jobs };

type Live = Map<string, TypeAvailability> | null;

/** The public view of an event. Without live numbers (engine unreachable) sold/held/available are null. */
export function eventView(e: EventRow, live: Live) {
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    id: e.id,
    name: e.name,
    venue: e.venue,
    startsAt: e.startsAt.toISOString(),
    endsAt: iso(e.endsAt),
    saleStartsAt: iso(e.saleStartsAt),
    saleEndsAt: iso(e.saleEndsAt),
    currency: e.currency,
    // Minor-unit digits of the currency, so a client formats and parses amounts with the server's table, never its own.
    exponent: minorUnitExponent(e.currency),
    perBuyerLimit: e.perBuyerLimit,
    holdTtlSeconds: e.holdTtlSeconds,
    refundPolicy: e.refundPolicy,
    refundUntilDays: e.refundUntilDays,
    platformFeeBps: e.platformFeeBps,
    reminderHours: e.reminderHours,
    organizerId: e.organizerId,
    // null: no poster (PUT /api/events/:id/poster sets one).
    poster: posterView(e.poster),
    status: e.status,
    publishedAt: iso(e.publishedAt),
    description: e.description,
    address: e.address,
    latitude: e.latitude,
    longitude: e.longitude,
    timeZone: e.timeZone,
    mapUrl: mapUrl(e),
    cancelledAt: iso(e.cancelledAt),
    ticketTypes: e.ticketTypes.map((t) => {
      const a = live?.get(t.id);
      return {
        id: t.id,
        name: t.name,
        retired: t.retired,
        price: a?.price ?? t.price,
        currency: e.currency,
        capacity: a?.capacity ?? t.capacity,
        sold: a?.sold ?? null,
        held: a?.held ?? null,
        available: a?.available ?? null,
      };
    }),
  };
}

/**
 * An OpenStreetMap link to the venue: its coordinates when the organizer gave
 * them, else a search for its address; null with neither. Always https and
 * built here, never taken from the organizer, so a link cannot be a script.
 */
export function mapUrl(e: { latitude: number | null; longitude: number | null; address: string; venue: string }): string | null {
  if (e.latitude !== null && e.longitude !== null) {
    const lat = e.latitude.toFixed(5);
    const lon = e.longitude.toFixed(5);
    return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  }
  const query = [e.venue, e.address].map((s) => s.trim()).filter((s) => s !== '').join(', ').replace(/\s+/g, ' ');
  return query === '' ? null : `https://www.openstreetmap.org/search?query=${encodeURIComponent(query)}`;
}

export { eventIdParam };

/** An event workflow's refusal (engine/src/events/errors.ts) in the one error shape; engine refusals counted and worded as everywhere else. */
export function eventErrorToHttp(error: unknown, metrics?: EdgeMetrics): unknown {
  if (error instanceof EventRefused) {
    metrics?.refusal(error.refusal.reason);
    return outcomeToHttp(error.refusal);
  }
  if (error instanceof EventError) return new HttpError(error.status, error.code, error.message, error.field === undefined ? undefined : { field: error.field });
  return error;
}

/** Live availability; `strict` turns an unavailable engine into 503, otherwise it degrades to null. */
function liveOf(engine: EngineVerbs, metrics: EdgeMetrics) {
  return async function live(eventId: string, strict: boolean): Promise<Live> {
    const outcome = await engine.snapshot({ eventId });
    if (outcome.ok) return new Map(outcome.types.map((t) => [t.typeId, t]));
    metrics.refusal(outcome.reason);
    if (strict && (outcome.reason === 'busy' || outcome.reason === 'shard_unavailable')) throw outcomeToHttp(outcome);
    return null;
  };
}

export function mountEvents(router: Router, deps: EventsDeps): void {
  const engine = new EngineVerbs(deps.engine);
  const live = liveOf(engine, deps.metrics);
  mountEventReads(router, deps, live);
  mountEventWrites(router, deps, engine, live);
}

function mountEventReads(router: Router, { db }: EventsDeps, live: ReturnType<typeof liveOf>): void {
  router.route('get', '/api/events', async (ctx) => {
    const { mine } = parseQuery(eventsQuerySchema, ctx.query);
    let rows: EventRow[];
    if (mine === '1' || mine === 'true') {
      const claims = requireRole(ctx, 'organizer');
      rows = await selectEventsOfOrganizer(db, claims.sub, eventsListMax);
    } else {
      rows = await selectPublishedEvents(db, eventsListMax);
    }
    const lives = await Promise.all(rows.map((e) => live(e.id, false)));
    return { status: 200, body: { events: rows.map((e, i) => eventView(e, lives[i]!)) } };
  });

  router.route('get', '/api/events/:id', async (ctx) => {
    const id = eventIdParam(ctx);
    const event = await selectEvent(db, id);
    // A draft answers like a missing event to anyone but its organizer: its id cannot be probed.
    if (event === null || (event.status === 'draft' && !isOwnEvent(ctx, event))) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
    return { status: 200, body: eventView(event, await live(id, true)) };
  });
}

function mountEventWrites(router: Router, { config, db, metrics, jobs }: EventsDeps, engine: EngineVerbs, live: ReturnType<typeof liveOf>): void {
  router.route('post', '/api/events/:id/publish', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    if (event.status === 'published') return { status: 200, body: eventView(event, await live(event.id, false)) };
    const published = await publishEvent(db, event.id);
    if (published === null) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
    // The actor refuses a draft's holds: tell it. If it cannot be told now it reads the status from Postgres when next loaded.
    const refusal = await reconfigureActor({ db, engine }, event.id);
    if (refusal !== null) throw eventErrorToHttp(new EventRefused(refusal), metrics);
    return { status: 200, body: eventView(published, await live(event.id, false)) };
  });

  router.route('post', '/api/events', async (ctx) => {
    const claims = requireRole(ctx, 'organizer');
    const input = parseBody(createEventSchema, ctx.body);
    requireKnownCurrency(input.currency);
    const id = randomUUID();
    const timeZone = input.timeZone ?? defaultTimeZone(input.currency);
    // The platform fee is the platform's, fixed per event at creation (TICKR_PLATFORM_FEE_BPS); the reminder is scheduled with the insert.
    const event = await insertEvent(db, claims.sub, { ...input, timeZone, id, platformFeeBps: config.platformFeeBps }, shardOf(id, config.shards),
      jobs === undefined ? undefined : async (tx, row) => void (await scheduleEventReminder(jobs, row, Date.now(), tx)));
    const fresh = new Map(event.ticketTypes.map((t) => [t.id, { typeId: t.id, capacity: t.capacity, sold: 0, held: 0, available: t.capacity, price: t.price }]));
    return { status: 201, body: eventView(event, fresh) };
  }, { body: true });

  router.route('patch', '/api/events/:id', async (ctx) => {
    // Role and path first, then the body, then ownership: the order of the answers a caller gets.
    requireRole(ctx, 'organizer');
    const eventId = eventIdParam(ctx);
    const edit = parseBody(patchEventSchema, ctx.body);
    const { event } = await requireOwnEvent(ctx, db, { eventId });
    try {
      const updated = await editEvent({ db, engine, jobs, now: Date.now }, event, edit);
      return { status: 200, body: eventView(updated, await live(eventId, false)) };
    } catch (error) {
      throw eventErrorToHttp(error, metrics);
    }
  }, { body: true });
}
