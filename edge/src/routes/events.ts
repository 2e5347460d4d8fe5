import { randomUUID } from 'node:crypto';
import type { Config } from '../../../engine/src/config.ts';
import { insertEvent, insertTicketTypes, publishEvent, selectEvent, selectEventConfig, selectEventsOfOrganizer, selectPublishedEvents, updateEvent, updateTicketTypeCapacity, type EventRow } from '../../../engine/src/db/events.ts';
import { ticketTypesPerEventMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import type { TypeAvailability } from '../../../engine/src/inventory/types.ts';
import { minorUnitExponent } from '../../../engine/src/money/currency_table.ts';
import { shardOf } from '../../../engine/src/shards.ts';
import { requireRole } from '../auth/guard.ts';
import { HttpError, outcomeToHttp } from '../http/errors.ts';
import type { EdgeMetrics } from '../http/metrics.ts';
import type { Ctx, Router } from '../http/route.ts';
import { createEventSchema, defaultTimeZone, eventsListMax, eventsQuerySchema, normalizeUuid, parseBody, parseQuery, patchEventSchema, placeProblem, refundPolicyProblem, requireKnownCurrency, windowProblem } from '../validation.ts';
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

/** Whether the caller is the organizer of `event`: a draft is theirs alone. */
export function isOwnEvent(ctx: Ctx, event: { organizerId: string }): boolean {
  return ctx.auth !== null && ctx.auth.role === 'organizer' && ctx.auth.sub === event.organizerId;
}

/** A path id that cannot name an event answers like a missing event: never a 500. */
export function eventIdParam(ctx: Ctx): string {
  const id = normalizeUuid(ctx.params.id ?? '');
  if (id === null) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
  return id;
}

export function mountEvents(router: Router, { config, db, metrics, jobs, ...deps }: EventsDeps): void {
  const engine = new EngineVerbs(deps.engine);
  /** Live availability; `strict` turns an unavailable engine into 503, otherwise it degrades to null. */
  async function live(eventId: string, strict: boolean): Promise<Live> {
    const outcome = await engine.snapshot({ eventId });
    if (outcome.ok) return new Map(outcome.types.map((t) => [t.typeId, t]));
    if (!outcome.ok) {
      metrics.refusal(outcome.reason);
      if (strict && (outcome.reason === 'busy' || outcome.reason === 'shard_unavailable')) throw outcomeToHttp(outcome);
    }
    return null;
  }

  /** Hands the event's settings (prices, limit, window, types on sale, draft) to its actor. */
  async function tellActor(id: string): Promise<void> {
    const eventConfig = await selectEventConfig(db, id);
    if (eventConfig === null) return;
    const outcome = await engine.reconfigure({ eventId: id, config: eventConfig });
    if (!outcome.ok) {
      metrics.refusal(outcome.reason);
      // Postgres has the change already; the actor reads it when it is next loaded. Retrying the request is safe.
      throw outcomeToHttp(outcome);
    }
  }

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

  router.route('post', '/api/events/:id/publish', async (ctx) => {
    const claims = requireRole(ctx, 'organizer');
    const id = eventIdParam(ctx);
    const event = await selectEvent(db, id);
    if (event === null || event.organizerId !== claims.sub) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
    if (event.status === 'published') return { status: 200, body: eventView(event, await live(id, false)) };
    const published = await publishEvent(db, id);
    if (published === null) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
    // The actor refuses a draft's holds: tell it. If it cannot be told now it reads the status from Postgres when next loaded.
    await tellActor(id);
    return { status: 200, body: eventView(published, await live(id, false)) };
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
    const claims = requireRole(ctx, 'organizer');
    const id = eventIdParam(ctx);
    const patch = parseBody(patchEventSchema, ctx.body);
    const event = await selectEvent(db, id);
    // Another organizer's event answers like a missing one, so event ids cannot be probed for ownership.
    if (event === null || event.organizerId !== claims.sub) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
    const typeIds = new Set(event.ticketTypes.map((t) => t.id));
    for (const [i, t] of (patch.ticketTypes ?? []).entries()) {
      if (!typeIds.has(t.id.toLowerCase())) {
        throw new HttpError(422, 'unknown_ticket_type', `ticketTypes[${i}].id is not a ticket type of this event; use an id from its ticketTypes`);
      }
    }
    if (event.ticketTypes.length + (patch.newTicketTypes?.length ?? 0) > ticketTypesPerEventMax) {
      throw new HttpError(422, 'too_many_ticket_types', `An event has at most ${ticketTypesPerEventMax} ticket types, retired ones included; it has ${event.ticketTypes.length}, so add at most ${Math.max(0, ticketTypesPerEventMax - event.ticketTypes.length)}`, { field: 'newTicketTypes' });
    }
    const place = placeProblem({
      latitude: patch.latitude !== undefined ? patch.latitude : event.latitude,
      longitude: patch.longitude !== undefined ? patch.longitude : event.longitude,
    });
    if (place) throw new HttpError(400, 'invalid_body', place.message, { field: place.path });
    const problem = windowProblem({
      startsAt: patch.startsAt ?? event.startsAt,
      endsAt: patch.endsAt !== undefined ? patch.endsAt : event.endsAt,
      saleStartsAt: patch.saleStartsAt !== undefined ? patch.saleStartsAt : event.saleStartsAt,
      saleEndsAt: patch.saleEndsAt !== undefined ? patch.saleEndsAt : event.saleEndsAt,
    });
    if (problem) throw new HttpError(400, 'invalid_body', problem.message, { field: problem.path });
    if (patch.refundPolicy !== undefined || patch.refundUntilDays !== undefined) {
      const policy = patch.refundPolicy ?? event.refundPolicy;
      // Switching away from "until" drops its days; otherwise the days sent, or the ones the event has.
      const days = patch.refundUntilDays !== undefined ? patch.refundUntilDays : policy === 'until' ? event.refundUntilDays : null;
      const refund = refundPolicyProblem({ refundPolicy: policy, refundUntilDays: days });
      if (refund) throw new HttpError(400, 'invalid_body', refund.message, { field: refund.path });
      patch.refundPolicy = policy;
      patch.refundUntilDays = days;
    }

    // Capacity first, through the actor: it alone knows what is sold and held. A refusal stops the whole patch.
    for (const t of patch.ticketTypes ?? []) {
      if (t.capacity === undefined) continue;
      const typeId = t.id.toLowerCase();
      const outcome = await engine.changeCapacity({ eventId: id, typeId, capacity: t.capacity });
      if (!outcome.ok) {
        metrics.refusal(outcome.reason);
        throw outcomeToHttp(outcome);
      }
      await updateTicketTypeCapacity(db, id, typeId, t.capacity);
    }

    const { ticketTypes, newTicketTypes, ...fields } = patch;
    const rest = (ticketTypes ?? []).filter((t) => t.name !== undefined || t.price !== undefined || t.retired !== undefined).map((t) => ({ ...t, id: t.id.toLowerCase() }));
    if (newTicketTypes !== undefined && newTicketTypes.length > 0) await insertTicketTypes(db, id, newTicketTypes);
    const updated = Object.keys(fields).length > 0 || rest.length > 0 ? await updateEvent(db, id, { ...fields, ticketTypes: rest }) : await selectEvent(db, id);
    if (updated === null) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
    const moved = fields.startsAt !== undefined && fields.startsAt.getTime() !== event.startsAt.getTime();
    if (jobs !== undefined && (moved || (fields.reminderHours !== undefined && fields.reminderHours !== event.reminderHours))) {
      // Keyed by event and start (reminder_job.ts): a changed lead time reaches a reminder not yet scheduled, not one already queued.
      await scheduleEventReminder(jobs, updated, Date.now());
    }

    // The actor prices holds, enforces the limit, the TTL and the sale window: tell it.
    const actorRelevant = fields.perBuyerLimit !== undefined || fields.holdTtlSeconds !== undefined
      || fields.saleStartsAt !== undefined || fields.saleEndsAt !== undefined || rest.some((t) => t.price !== undefined || t.retired !== undefined)
      || (newTicketTypes?.length ?? 0) > 0;
    if (actorRelevant) await tellActor(id);
    return { status: 200, body: eventView(updated, await live(id, false)) };
  }, { body: true });
}
