import { ticketTypesPerEventMax } from '../constants.ts';
import { insertTicketTypes, selectEvent, updateEvent, updateTicketTypeCapacity, type EventPatch, type EventRow } from '../db/events.ts';
import type { Db } from '../db/pool.ts';
import type { EngineVerbs } from '../engine_verbs.ts';
import type { Jobs } from '../jobs/queues.ts';
import { scheduleEventReminder } from '../mail/reminder_job.ts';
import { EventError, EventRefused, invalidField } from './errors.ts';
import { reconfigureActor } from './reconfigure.ts';
import { placeProblem, refundPolicyProblem, windowProblem } from './rules.ts';

/** `jobs` reschedules the event's reminder; without it (tests of the spine) no reminder is scheduled. */
export type EditDeps = { db: Db; engine: EngineVerbs; jobs?: Jobs | undefined; now: () => number };

/** What an organizer sends to change an event (validated at the edge): the fields to change, ticket types changed by id, new ones. */
export type EventEdit = Omit<EventPatch, 'ticketTypes'> & {
  ticketTypes?: { id: string; name?: string; price?: number; capacity?: number; retired?: boolean }[];
  newTicketTypes?: { name: string; price: number; capacity: number }[];
};

/**
 * Changes the organizer's own `event` as `edit` says and answers the event as
 * it now is. Checked first on the merged event (the ticket types named are
 * its own, the type cap, the rules of events/rules.ts): a broken rule is an
 * EventError and nothing is written. Capacity then goes through the actor,
 * which alone knows what is sold and held: its refusal (EventRefused) stops
 * the rest. Then Postgres, the reminder when the start or its lead time
 * moved, and the actor told of what it enforces (prices, limit, TTL, window,
 * types on sale).
 */
export async function editEvent(deps: EditDeps, event: EventRow, edit: EventEdit): Promise<EventRow> {
  const fields = checkedFields(event, edit);
  await changeCapacities(deps, event.id, edit.ticketTypes ?? []);
  const rest = (edit.ticketTypes ?? []).filter((t) => t.name !== undefined || t.price !== undefined || t.retired !== undefined).map((t) => ({ ...t, id: t.id.toLowerCase() }));
  const added = edit.newTicketTypes ?? [];
  if (added.length > 0) await insertTicketTypes(deps.db, event.id, added);
  const updated = Object.keys(fields).length > 0 || rest.length > 0 ? await updateEvent(deps.db, event.id, { ...fields, ticketTypes: rest }) : await selectEvent(deps.db, event.id);
  if (updated === null) throw new EventRefused({ ok: false, reason: 'event_not_found' });
  await rescheduleReminder(deps, event, fields, updated);
  const actorRelevant = fields.perBuyerLimit !== undefined || fields.holdTtlSeconds !== undefined
    || fields.saleStartsAt !== undefined || fields.saleEndsAt !== undefined || rest.some((t) => t.price !== undefined || t.retired !== undefined)
    || added.length > 0;
  if (actorRelevant) {
    const refusal = await reconfigureActor(deps, event.id);
    if (refusal !== null) throw new EventRefused(refusal);
  }
  return updated;
}

/** The event's own fields of `edit` once its rules hold on the merged event; the refund policy and its days made whole. */
function checkedFields(event: EventRow, edit: EventEdit): Omit<EventPatch, 'ticketTypes'> {
  const typeIds = new Set(event.ticketTypes.map((t) => t.id));
  for (const [i, t] of (edit.ticketTypes ?? []).entries()) {
    if (!typeIds.has(t.id.toLowerCase())) {
      throw new EventError(422, 'unknown_ticket_type', `ticketTypes[${i}].id is not a ticket type of this event; use an id from its ticketTypes`);
    }
  }
  if (event.ticketTypes.length + (edit.newTicketTypes?.length ?? 0) > ticketTypesPerEventMax) {
    throw new EventError(422, 'too_many_ticket_types', `An event has at most ${ticketTypesPerEventMax} ticket types, retired ones included; it has ${event.ticketTypes.length}, so add at most ${Math.max(0, ticketTypesPerEventMax - event.ticketTypes.length)}`, 'newTicketTypes');
  }
  const place = placeProblem({
    latitude: edit.latitude !== undefined ? edit.latitude : event.latitude,
    longitude: edit.longitude !== undefined ? edit.longitude : event.longitude,
  });
  if (place) throw invalidField(place);
  const problem = windowProblem({
    startsAt: edit.startsAt ?? event.startsAt,
    endsAt: edit.endsAt !== undefined ? edit.endsAt : event.endsAt,
    saleStartsAt: edit.saleStartsAt !== undefined ? edit.saleStartsAt : event.saleStartsAt,
    saleEndsAt: edit.saleEndsAt !== undefined ? edit.saleEndsAt : event.saleEndsAt,
  });
  if (problem) throw invalidField(problem);
  const { ticketTypes: _types, newTicketTypes: _added, ...fields } = edit;
  if (edit.refundPolicy !== undefined || edit.refundUntilDays !== undefined) {
    const policy = edit.refundPolicy ?? event.refundPolicy;
    // Switching away from "until" drops its days; otherwise the days sent, or the ones the event has.
    const days = edit.refundUntilDays !== undefined ? edit.refundUntilDays : policy === 'until' ? event.refundUntilDays : null;
    const refund = refundPolicyProblem({ refundPolicy: policy, refundUntilDays: days });
    if (refund) throw invalidField(refund);
    fields.refundPolicy = policy;
    fields.refundUntilDays = days;
  }
  return fields;
}

/** Capacity first, through the actor: it alone knows what is sold and held. A refusal stops the whole edit. */
async function changeCapacities(deps: EditDeps, eventId: string, types: NonNullable<EventEdit['ticketTypes']>): Promise<void> {
  for (const t of types) {
    if (t.capacity === undefined) continue;
    const typeId = t.id.toLowerCase();
    const outcome = await deps.engine.changeCapacity({ eventId, typeId, capacity: t.capacity });
    if (!outcome.ok) throw new EventRefused(outcome);
    await updateTicketTypeCapacity(deps.db, eventId, typeId, t.capacity);
  }
}

async function rescheduleReminder(deps: EditDeps, before: EventRow, fields: Omit<EventPatch, 'ticketTypes'>, updated: EventRow): Promise<void> {
  const moved = fields.startsAt !== undefined && fields.startsAt.getTime() !== before.startsAt.getTime();
  if (deps.jobs !== undefined && (moved || (fields.reminderHours !== undefined && fields.reminderHours !== before.reminderHours))) {
    // Keyed by event and start (reminder_job.ts): a changed lead time reaches a reminder not yet scheduled, not one already queued.
    await scheduleEventReminder(deps.jobs, updated, deps.now());
  }
}
