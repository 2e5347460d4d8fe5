import { selectEvent, type EventRow } from '../../../engine/src/db/events.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { outcomeToHttp } from '../http/errors.ts';
import type { Ctx } from '../http/route.ts';
import { normalizeUuid } from '../validation.ts';
import { requireRole } from './guard.ts';
import type { Claims } from './tokens.ts';

/**
 * "Is this your event?", asked one way by every route. Another organizer's
 * event answers exactly like a missing one (404 `event_not_found`), so event
 * ids cannot be probed for who owns them; a caller whose role never may
 * gets 403, no token 401 (auth/guard.ts).
 */

const eventNotFound = () => outcomeToHttp({ ok: false, reason: 'event_not_found' });

/** A path id that cannot name an event answers like a missing event: never a 500. */
export function eventIdParam(ctx: Ctx): string {
  const id = normalizeUuid(ctx.params.id ?? '');
  if (id === null) throw eventNotFound();
  return id;
}

/** Whether the caller is the organizer of `event` (a draft is theirs alone); never throws. */
export function isOwnEvent(ctx: Ctx, event: { organizerId: string }): boolean {
  return ctx.auth !== null && ctx.auth.role === 'organizer' && ctx.auth.sub === event.organizerId;
}

export type OwnEventOptions = {
  /** The event, when the route parsed its id already (before reading a body, say); default: the path's `:id`. */
  eventId?: string;
  /** An operator may also read any event (cancellation progress, attendees); default: organizers only. */
  operator?: boolean;
};

/** The caller's claims and the event, when the caller is its organizer (or, with `operator`, an operator); 404 as missing otherwise. */
export async function requireOwnEvent(ctx: Ctx, db: Db, opts: OwnEventOptions = {}): Promise<{ claims: Claims; event: EventRow }> {
  const claims = opts.operator === true ? requireRole(ctx, 'organizer', 'operator') : requireRole(ctx, 'organizer');
  const eventId = opts.eventId ?? eventIdParam(ctx);
  const event = await selectEvent(db, eventId);
  if (event === null || (claims.role !== 'operator' && !isOwnEvent(ctx, event))) throw eventNotFound();
  return { claims, event };
}
