import { z } from 'zod';
import { countLists, deleteList, insertList, selectLists, updateList } from '../../../engine/src/checkin/lists.ts';
import { acceptInvitesOnSight, inviteStaff, removeStaff, selectStaffEntries, selectStaffEvents } from '../../../engine/src/checkin/staff_invites.ts';
import type { CheckinList } from '../../../engine/src/checkin/verify.ts';
import type { Config } from '../../../engine/src/config.ts';
import { checkinListsPerEventMax, staffInvitesMax, staffInvitesWindowMs, ticketTypesPerEventMax } from '../../../engine/src/constants.ts';
import type { EventRow } from '../../../engine/src/db/events.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { requireRole } from '../auth/guard.ts';
import { requireOwnEvent } from '../auth/own_event.ts';
import { createRateLimiter } from '../auth/rate_limit.ts';
import type { Jobs } from '../../../engine/src/jobs/queues.ts';
import { locales } from '../../../engine/src/mail/templates.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { normalizeUuid, parseBody } from '../validation.ts';
import { eventIdParam } from './events.ts';
import { requireScannerOf, textField, uuidField } from './checkin_access.ts';

/** `jobs`: the mail outbox's job queue; without it staff invites answer 503. */
export type CheckinAdminDeps = { db: Db; config: Config; jobs?: Jobs };

const typeIds = z.array(uuidField('typeIds[]'), { error: 'typeIds must be an array of ticket type ids' })
  .max(ticketTypesPerEventMax, { error: `typeIds must list at most ${ticketTypesPerEventMax} ticket types` });
export const createListSchema = z.strictObject({
  name: textField('name', 100).meta({ description: 'Unique in the event, e.g. "North gate".' }),
  typeIds: typeIds.optional().meta({ description: 'The ticket types this list admits; none or empty: every type.' }),
});
export const patchListSchema = z.strictObject({ name: textField('name', 100).optional(), typeIds: typeIds.optional() });
export const staffSchema = z.strictObject({
  email: z.email({ error: 'email must be an email address, e.g. ada@example.com' }).max(254).transform((s) => s.toLowerCase()),
  // The name greets a new staff member; the invitee chooses the password, never the organizer.
  name: textField('name', 100).optional(),
  locale: z.enum(locales, { error: `locale must be one of ${locales.join(', ')}` }).optional().meta({ description: 'The language of the invite email; default en.' }),
});

export const listView = (l: CheckinList) => ({ id: l.id, eventId: l.eventId, name: l.name, typeIds: l.typeIds });

/** Every id names a ticket type of `event` (retired ones too). */
function requireTypesOf(event: EventRow, ids: string[] | undefined): void {
  if (ids === undefined || ids.length === 0) return;
  const own = new Set(event.ticketTypes.map((t) => t.id));
  if (!ids.every((id) => own.has(id))) {
    throw new HttpError(422, 'unknown_ticket_type', 'typeIds must be ticket types of this event; use ids from the event\'s ticketTypes.');
  }
}

function listIdParam(id: string | undefined): string {
  const listId = normalizeUuid(id ?? '');
  if (listId === null) throw new HttpError(404, 'list_not_found', 'No such check-in list; check the list id.');
  return listId;
}

/** Check-in lists (one per gate, or per ticket type) and the staff assigned to an event: organizer only, except reading the lists. */
export function mountCheckinAdmin(router: Router, deps: CheckinAdminDeps): void {
  mountCheckinLists(router, deps);
  mountStaff(router, deps);
}

/** The check-in lists of an event: its staff read them, its organizer changes them. */
function mountCheckinLists(router: Router, { db }: CheckinAdminDeps): void {
  router.route('get', '/api/events/:id/checkin/lists', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireScannerOf(ctx, db, eventId);
    return { status: 200, body: { lists: (await selectLists(db, eventId)).map(listView) } };
  });

  router.route('post', '/api/events/:id/checkin/lists', async (ctx) => {
    const eventId = eventIdParam(ctx);
    const { event } = await requireOwnEvent(ctx, db, { eventId });
    const input = parseBody(createListSchema, ctx.body);
    requireTypesOf(event, input.typeIds);
    if ((await countLists(db, eventId)) >= checkinListsPerEventMax) {
      throw new HttpError(409, 'too_many_lists', `An event has at most ${checkinListsPerEventMax} check-in lists; delete one first.`);
    }
    const list = await insertList(db, eventId, input.name, [...new Set(input.typeIds ?? [])]);
    if (list === null) throw new HttpError(409, 'list_name_taken', `This event already has a check-in list named "${input.name}"; choose another name.`);
    return { status: 201, body: listView(list) };
  }, { body: true });

  router.route('patch', '/api/events/:id/checkin/lists/:listId', async (ctx) => {
    const eventId = eventIdParam(ctx);
    const { event } = await requireOwnEvent(ctx, db, { eventId });
    const listId = listIdParam(ctx.params.listId);
    const input = parseBody(patchListSchema, ctx.body);
    requireTypesOf(event, input.typeIds);
    const list = await updateList(db, eventId, listId, { name: input.name, typeIds: input.typeIds && [...new Set(input.typeIds)] });
    if (list === 'conflict') throw new HttpError(409, 'list_name_taken', 'This event already has a check-in list with that name; choose another name.');
    if (list === null) throw new HttpError(404, 'list_not_found', 'No such check-in list in this event; check the list id.');
    return { status: 200, body: listView(list) };
  }, { body: true });

  router.route('delete', '/api/events/:id/checkin/lists/:listId', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOwnEvent(ctx, db, { eventId });
    if (!(await deleteList(db, eventId, listIdParam(ctx.params.listId)))) {
      throw new HttpError(404, 'list_not_found', 'No such check-in list in this event; check the list id.');
    }
    return { status: 204, body: '' };
  });
}

/** The staff of an event (invited by its organizer), and the events one is staff of. */
function mountStaff(router: Router, { db, config, jobs }: CheckinAdminDeps): void {
  const invites = createRateLimiter({ max: staffInvitesMax, windowMs: staffInvitesWindowMs });

  router.route('get', '/api/events/:id/staff', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOwnEvent(ctx, db, { eventId });
    return { status: 200, body: { staff: await selectStaffEntries(db, eventId) } };
  });

  // An invite, never an account made here: the answer is the same whether or not the email has an account (#11).
  router.route('post', '/api/events/:id/staff', async (ctx) => {
    const eventId = eventIdParam(ctx);
    const { claims, event } = await requireOwnEvent(ctx, db, { eventId });
    const input = parseBody(staffSchema, ctx.body);
    if (jobs === undefined) throw new HttpError(503, 'mail_unavailable', 'This node cannot send email, so it cannot invite staff; retry on a node with jobs.');
    const limited = invites.take(claims.sub);
    if (!limited.ok) {
      throw new HttpError(429, 'too_many_invites', `At most ${staffInvitesMax} staff invites an hour; retry in ${limited.retryAfterSeconds} s.`,
        undefined, { 'retry-after': String(limited.retryAfterSeconds) });
    }
    const invite = await inviteStaff({ db, jobs, publicUrl: config.publicUrl }, {
      eventId, eventName: event.name, email: input.email, name: input.name ?? null, locale: input.locale ?? 'en',
    });
    return { status: 202, body: invite };
  }, { body: true });

  router.route('delete', '/api/events/:id/staff/:staffId', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOwnEvent(ctx, db, { eventId });
    const id = normalizeUuid(ctx.params.staffId ?? '');
    if (id === null || !(await removeStaff(db, eventId, id))) {
      throw new HttpError(404, 'staff_not_found', 'No such staff member or invite in this event; use an id from GET /staff.');
    }
    return { status: 204, body: '' };
  });

  // The scanner page's first call: which events this account may scan for.
  router.route('get', '/api/staff/events', async (ctx) => {
    const claims = requireRole(ctx, 'staff', 'organizer', 'participant');
    await acceptInvitesOnSight(db, claims.sub);
    const events = (await selectStaffEvents(db, claims.sub))
      .map((e) => ({ id: e.id, name: e.name, venue: e.venue, startsAt: e.startsAt.toISOString(), timeZone: e.timeZone }));
    return { status: 200, body: { events } };
  });
}
