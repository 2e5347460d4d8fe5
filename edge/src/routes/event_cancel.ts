import { requestCancellation, selectCancellation } from '../../../engine/src/cancellation/cancellation.ts';
import { reconfigureActor } from '../../../engine/src/events/reconfigure.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import type { Jobs } from '../../../engine/src/jobs/queues.ts';
import type { Logger } from '../../../engine/src/log.ts';
import { attendeesCsv } from '../../../engine/src/checkin/attendees.ts';
import { requireRole } from '../auth/guard.ts';
import { HttpError, outcomeToHttp } from '../http/errors.ts';
import { Stream, type Router } from '../http/route.ts';
import { cancelEventSchema, parseBody } from '../validation.ts';
import { eventIdParam, requireOwnEvent } from '../auth/own_event.ts';
import { EngineVerbs } from '../../../engine/src/engine_verbs.ts';

export type EventCancelDeps = { db: Db; engine: Engine; jobs: Jobs; log: Logger };

const notFound = () => outcomeToHttp({ ok: false, reason: 'event_not_found' });

/**
 * An organizer's tools for an event that is over or off (#15): cancelling it
 * (the `event-cancel` job does the work: cancellation/cancel_job.ts), its
 * progress, and the attendee list as CSV. Another organizer's event answers
 * like a missing one, as everywhere.
 */
export function mountEventCancel(router: Router, { db, jobs, log, ...deps }: EventCancelDeps): void {
  const engine = new EngineVerbs(deps.engine);
  router.route('post', '/api/events/:id/cancel', async (ctx) => {
    const claims = requireRole(ctx, 'organizer');
    const id = eventIdParam(ctx);
    const { eventName } = parseBody(cancelEventSchema, ctx.body);
    const outcome = await requestCancellation({ db, jobs }, id, claims.sub, eventName);
    if (!outcome.ok) {
      if (outcome.reason === 'event_not_found') throw notFound();
      throw new HttpError(422, 'confirmation_mismatch', 'To cancel this event, send its name exactly as it is in eventName; nothing was cancelled.', { field: 'eventName' });
    }
    // Sales stop now rather than when the job runs: the actor refuses holds once it has the cancelled settings. The job
    // does it again (and releases the open holds), so an actor that cannot be told now changes nothing.
    if (outcome.applied) await stopSalesNow(id);
    return { status: outcome.applied ? 202 : 200, body: outcome.view };
  }, { body: true });

  router.route('get', '/api/events/:id/cancellation', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db, { operator: true });
    return { status: 200, body: { cancellation: await selectCancellation(db, event.id) } };
  });

  router.route('get', '/api/events/:id/attendees', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db, { operator: true });
    const id = event.id;
    return {
      status: 200,
      body: new Stream(attendeesCsv(db, event)),
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="attendees-${id}.csv"`, 'cache-control': 'no-store' },
    };
  });

  async function stopSalesNow(eventId: string): Promise<void> {
    try {
      const refusal = await reconfigureActor({ db, engine }, eventId);
      if (refusal !== null) log('warn', `cancel of event ${eventId}: the actor could not be told at once (${refusal.reason}); the event-cancel job tells it`);
    } catch (error) {
      log('warn', `cancel of event ${eventId}: the actor could not be told at once (${(error as Error).message}); the event-cancel job tells it`);
    }
  }
}
