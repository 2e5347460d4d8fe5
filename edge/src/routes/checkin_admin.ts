import { z } from 'zod';
import { assignStaff, countLists, deleteList, insertList, selectLists, selectStaff, unassignStaff, updateList } from '../../../engine/src/checkin/lists.ts';
import type { CheckinList } from '../../../engine/src/checkin/verify.ts';
import { checkinListsPerEventMax, ticketTypesPerEventMax } from '../../../engine/src/constants.ts';
import { insertAccount, selectAccountByEmail } from '../../../engine/src/db/accounts.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { requireRole } from '../auth/guard.ts';
import { hashPassword } from '../auth/passwords.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { normalizeUuid, parseBody } from '../validation.ts';
import { eventIdParam } from './events.ts';
import { requireOrganizerOf, requireScannerOf, textField, uuidField } from './checkin_access.ts';

export type CheckinAdminDeps = { db: Db };

const typeIds = z.array(uuidField('typeIds[]'), { error: 'typeIds must be an array of ticket type ids' })
  .max(ticketTypesPerEventMax, { error: `typeIds must list at most ${ticketTypesPerEventMax} ticket types` });
const createListSchema = z.strictObject({ name: textField('name', 100), typeIds: typeIds.optional() });
const patchListSchema = z.strictObject({ name: textField('name', 100).optional(), typeIds: typeIds.optional() });
const staffSchema = z.strictObject({
  email: z.email({ error: 'email must be an email address, e.g. ada@example.com' }).max(254).transform((s) => s.toLowerCase()),
  // With name and password, an account that does not exist yet is created as staff.
  name: textField('name', 100).optional(),
  password: z.string({ error: 'password must be a string of 10 to 200 characters' }).min(10, { error: 'password must be at least 10 characters long' }).max(200).optional(),
});

export const listView = (l: CheckinList) => ({ id: l.id, eventId: l.eventId, name: l.name, typeIds: l.typeIds });

async function requireTypesOf(db: Db, eventId: string, ids: string[] | undefined): Promise<void> {
  if (ids === undefined || ids.length === 0) return;
  const { rows } = await db.query('SELECT id FROM ticket_types WHERE event_id = $1 AND id = ANY($2::uuid[])', [eventId, ids]);
  if (rows.length !== new Set(ids).size) {
    throw new HttpError(422, 'unknown_ticket_type', 'typeIds must be ticket types of this event; use ids from the event\'s ticketTypes.');
  }
}

function listIdParam(id: string | undefined): string {
  const listId = normalizeUuid(id ?? '');
  if (listId === null) throw new HttpError(404, 'list_not_found', 'No such check-in list; check the list id.');
  return listId;
}

/** Check-in lists (one per gate, or per ticket type) and the staff assigned to an event: organizer only, except reading the lists. */
export function mountCheckinAdmin(router: Router, { db }: CheckinAdminDeps): void {
  router.route('get', '/api/events/:id/checkin/lists', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireScannerOf(ctx, db, eventId);
    return { status: 200, body: { lists: (await selectLists(db, eventId)).map(listView) } };
  });

  router.route('post', '/api/events/:id/checkin/lists', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOrganizerOf(ctx, db, eventId);
    const input = parseBody(createListSchema, ctx.body);
    await requireTypesOf(db, eventId, input.typeIds);
    if ((await countLists(db, eventId)) >= checkinListsPerEventMax) {
      throw new HttpError(409, 'too_many_lists', `An event has at most ${checkinListsPerEventMax} check-in lists; delete one first.`);
    }
    const list = await insertList(db, eventId, input.name, [...new Set(input.typeIds ?? [])]);
    if (list === null) throw new HttpError(409, 'list_name_taken', `This event already has a check-in list named "${input.name}"; choose another name.`);
    return { status: 201, body: listView(list) };
  }, { body: true });

  router.route('patch', '/api/events/:id/checkin/lists/:listId', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOrganizerOf(ctx, db, eventId);
    const listId = listIdParam(ctx.params.listId);
    const input = parseBody(patchListSchema, ctx.body);
    await requireTypesOf(db, eventId, input.typeIds);
    const list = await updateList(db, eventId, listId, { name: input.name, typeIds: input.typeIds && [...new Set(input.typeIds)] });
    if (list === 'conflict') throw new HttpError(409, 'list_name_taken', 'This event already has a check-in list with that name; choose another name.');
    if (list === null) throw new HttpError(404, 'list_not_found', 'No such check-in list in this event; check the list id.');
    return { status: 200, body: listView(list) };
  }, { body: true });

  router.route('delete', '/api/events/:id/checkin/lists/:listId', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOrganizerOf(ctx, db, eventId);
    if (!(await deleteList(db, eventId, listIdParam(ctx.params.listId)))) {
      throw new HttpError(404, 'list_not_found', 'No such check-in list in this event; check the list id.');
    }
    return { status: 204, body: '' };
  });

  router.route('get', '/api/events/:id/staff', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOrganizerOf(ctx, db, eventId);
    return { status: 200, body: { staff: await selectStaff(db, eventId) } };
  });

  router.route('post', '/api/events/:id/staff', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOrganizerOf(ctx, db, eventId);
    const input = parseBody(staffSchema, ctx.body);
    let account = await selectAccountByEmail(db, input.email);
    let created = false;
    if (account === null) {
      if (input.name === undefined || input.password === undefined) {
        throw new HttpError(404, 'account_not_found', 'No account has this email; send name and password too to create a staff account for it.');
      }
      const made = await insertAccount(db, { email: input.email, passwordHash: await hashPassword(input.password), name: input.name, role: 'staff' });
      // Lost a race with a sign-up of the same email: use that account.
      account = made === null ? await selectAccountByEmail(db, input.email) : { ...made, passwordHash: '', version: 1 };
      created = made !== null;
      if (account === null) throw new Error('account vanished after a conflicting insert');
    } else if (account.role === 'operator' || account.role === 'admin') {
      throw new HttpError(422, 'role_not_allowed', 'Operator and admin accounts cannot be assigned as event staff; use a staff account.');
    }
    await assignStaff(db, eventId, account.id);
    return { status: created ? 201 : 200, body: { accountId: account.id, email: account.email, name: account.name, role: account.role, created } };
  }, { body: true });

  router.route('delete', '/api/events/:id/staff/:accountId', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireOrganizerOf(ctx, db, eventId);
    const accountId = normalizeUuid(ctx.params.accountId ?? '');
    if (accountId === null || !(await unassignStaff(db, eventId, accountId))) {
      throw new HttpError(404, 'staff_not_found', 'This account is not assigned to this event.');
    }
    return { status: 204, body: '' };
  });

  // The scanner page's first call: which events this account may scan for.
  router.route('get', '/api/staff/events', async (ctx) => {
    const claims = requireRole(ctx, 'staff', 'organizer', 'participant');
    const { rows } = await db.query(
      `SELECT e.id, e.name, e.venue, e.starts_at FROM event_staff s JOIN events e ON e.id = s.event_id
        WHERE s.account_id = $1 ORDER BY e.starts_at`, [claims.sub]);
    const events = (rows as { id: string; name: string; venue: string; starts_at: Date }[])
      .map((e) => ({ id: e.id, name: e.name, venue: e.venue, startsAt: e.starts_at.toISOString() }));
    return { status: 200, body: { events } };
  });
}
