import type { JobHandler, Jobs, SqlExecutor } from '../jobs/queues.ts';
import { inTransaction } from '../db/transaction.ts';
import { ticketsUrl } from './links.ts';
import { notifyBuyer } from '../sms/notify.ts';
import { emailPosterOf } from './poster.ts';

/**
 * Schedules an event's reminder `reminderHours` before it starts (nothing when
 * the event has no reminder, or when that moment has passed). Keyed by event
 * and start time, so moving the event schedules a new reminder and the old
 * one finds the start changed and does nothing.
 */
export async function scheduleEventReminder(jobs: Jobs, event: { id: string; startsAt: Date; reminderHours: number | null }, now: number, tx?: SqlExecutor): Promise<boolean> {
  if (event.reminderHours === null) return false;
  const at = event.startsAt.getTime() - event.reminderHours * 3_600_000;
  if (at <= now) return false;
  const startsAt = event.startsAt.toISOString();
  await jobs.send('event-reminder', { eventId: event.id, startsAt }, { key: `${event.id}:${startsAt}`, startAfter: new Date(at), ...(tx ? { tx } : {}) });
  return true;
}

type Holder = { buyer_id: string; email: string; name: string; locale: string; tickets: number; order_id: string };

/**
 * `event-reminder`: one reminder per buyer who holds live tickets for the
 * event. Idempotent: each email is keyed by event, start time and buyer, so a
 * rerun queues nothing new. A reminder for a start time the event no longer
 * has is dropped (the event moved; its new reminder is scheduled separately).
 */
export const eventReminderJob: JobHandler<'event-reminder'> = async (deps, { eventId, startsAt }) => {
  try {
    const queued = await inTransaction(deps.db, async (tx) => {
      const event = (await tx.query('SELECT name, venue, starts_at, time_zone FROM events WHERE id = $1', [eventId])).rows[0] as
        { name: string; venue: string; starts_at: Date; time_zone: string } | undefined;
      if (event === undefined) throw new Error('no such event');
      if (event.starts_at.getTime() !== new Date(startsAt).getTime()) return 0;
      // Each buyer's latest order gives the language and the page the reminder links to.
      const { rows } = await tx.query(
        `SELECT t.buyer_id, a.email, a.name, count(*)::int AS tickets,
                (array_agg(o.locale ORDER BY o.created_at DESC))[1] AS locale,
                (array_agg(o.id ORDER BY o.created_at DESC))[1] AS order_id
           FROM tickets t JOIN accounts a ON a.id = t.buyer_id JOIN orders o ON o.id = t.order_id
          WHERE t.event_id = $1 AND t.secret IS NOT NULL AND t.status <> 'revoked'
          GROUP BY t.buyer_id, a.email, a.name`, [eventId]);
      const poster = await emailPosterOf(tx, eventId, deps.config.publicUrl);
      for (const h of rows as Holder[]) {
        const url = ticketsUrl(deps.config.publicUrl, h.order_id);
        const key = `event_reminder:${eventId}:${startsAt}:${h.buyer_id}`;
        await notifyBuyer(tx, deps, h.buyer_id, {
          email: { to: h.email, template: 'event_reminder', locale: h.locale, key, data: { name: h.name, eventName: event.name, venue: event.venue, startsAt, timeZone: event.time_zone, ticketsUrl: url, ticketCount: h.tickets, poster } },
          sms: { template: 'event_reminder', locale: h.locale, key, data: { eventName: event.name, startsAt, ticketsUrl: url } },
        });
      }
      return rows.length;
    });
    deps.log('info', `event-reminder: ${queued} reminders for event ${eventId}`);
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message} (queue event-reminder, event ${eventId})`;
    throw error;
  }
};
