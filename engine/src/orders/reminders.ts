import type { Jobs, SqlExecutor } from '../jobs/queues.ts';

/**
 * Schedules `event-reminder` `reminderHours` before the event starts, inside
 * the transaction that creates or changes the event. Keyed by event, start and
 * lead time, so a changed start or lead time schedules a new reminder; the
 * reminder job checks that the event still starts at `startsAt` and skips
 * stale ones. A reminder whose time has passed is not sent.
 */
export async function scheduleReminder(jobs: Jobs, tx: SqlExecutor, event: { id: string; startsAt: Date; reminderHours: number | null }, now: number): Promise<void> {
  if (event.reminderHours === null) return;
  const at = event.startsAt.getTime() - event.reminderHours * 60 * 60_000;
  if (at <= now) return;
  const startsAt = event.startsAt.toISOString();
  await jobs.send('event-reminder', { eventId: event.id, startsAt }, { key: `${event.id}:${startsAt}:${event.reminderHours}h`, startAfter: new Date(at), tx });
}
