import { z } from 'zod';
import { canScan } from '../../../engine/src/checkin/lists.ts';
import { selectList, type CheckinList } from '../../../engine/src/checkin/verify.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Claims } from '../auth/tokens.ts';
import { requireRole } from '../auth/guard.ts';
import { HttpError } from '../http/errors.ts';
import type { Ctx } from '../http/route.ts';
import { normalizeUuid } from '../validation.ts';

/**
 * Who may do what at the door. Another organizer's event, or an event a
 * staff member is not assigned to, answers exactly like a missing event, so
 * event and list ids cannot be probed.
 */
export const eventNotFound = () => new HttpError(404, 'event_not_found', 'No such event; check the event id.');
export const listNotFound = () => new HttpError(404, 'list_not_found', 'No such check-in list for an event you are assigned to; check the list id.');

/**
 * Assigned staff, or the event's own organizer. (The organizer alone: requireOwnEvent, edge/src/auth/own_event.ts,
 * as for every event route.)
 */
export async function requireScannerOf(ctx: Ctx, db: Db, eventId: string): Promise<Claims> {
  const claims = requireRole(ctx, 'staff', 'organizer', 'participant');
  if (!(await canScan(db, eventId, claims.sub))) throw eventNotFound();
  return claims;
}

export async function requireScannerList(ctx: Ctx, db: Db, listId: string): Promise<{ claims: Claims; list: CheckinList }> {
  const claims = requireRole(ctx, 'staff', 'organizer', 'participant');
  const list = await selectList(db, listId);
  if (list === null || !(await canScan(db, list.eventId, claims.sub))) throw listNotFound();
  return { claims, list };
}

/** A UUID field, lowercased as Postgres prints it. */
export function uuidField(name: string) {
  const message = `${name} must be a UUID, e.g. 0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a`;
  return z.string({ error: message }).meta({ format: 'uuid' }).transform((s, c) => {
    const id = normalizeUuid(s);
    if (id === null) {
      c.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return id;
  });
}

export function textField(name: string, max: number) {
  const message = `${name} must be a string of 1 to ${max} characters`;
  return z.string({ error: message }).trim().min(1, { error: message }).max(max, { error: message });
}
