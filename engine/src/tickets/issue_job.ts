import { inTransaction } from '../db/transaction.ts';
import type { JobHandler } from '../jobs/queues.ts';
import { notifyBuyer } from '../sms/notify.ts';
import { scheduleEventReminder } from '../mail/reminder_job.ts';
import { eventSigningKey } from './event_keys.ts';
import { emailPosterOf } from '../mail/poster.ts';
import { issuedNotice, receiptColumns, type OrderForReceipt } from './issue_batch.ts';
import { encodeTicketSecret } from './secret.ts';

type OrderForTickets = {
  id: string; event_id: string; buyer_id: string; status: string; locale: string; hold_id: string; ticketed_hold_id: string | null;
  buyer_email: string; buyer_name: string; event_name: string; venue: string; starts_at: Date; reminder_hours: number | null; time_zone: string;
} & OrderForReceipt;

type TicketForIssue = { id: string; type_id: string; version: number; secret: string | null; holder_name: string | null; type_name: string };

/**
 * `tickets-issue`: signs a secret for each ticket of a paid order, moves the
 * order from `paid` to `ticketed` and queues the confirmation email, all in
 * one transaction. Idempotent per order: the order row is locked, a ticket
 * that has a secret keeps it, and the email is keyed by the order, so running
 * the job twice gives one set of secrets and one email. An order in any state
 * but paid or ticketed (refunded, failed) gets nothing.
 */
export const issueTicketsJob: JobHandler<'tickets-issue'> = async (deps, { orderId }) => {
  try {
    await inTransaction(deps.db, async (tx) => {
      const order = (await tx.query(
        `SELECT o.id, o.event_id, o.buyer_id, o.status, o.locale, o.hold_id, o.ticketed_hold_id,
                a.email AS buyer_email, a.name AS buyer_name, e.name AS event_name, e.venue, e.starts_at, e.reminder_hours, e.time_zone,
                ${receiptColumns}
           FROM orders o JOIN accounts a ON a.id = o.buyer_id JOIN events e ON e.id = o.event_id JOIN ticket_types ot ON ot.id = o.type_id
          WHERE o.id = $1 FOR UPDATE OF o`, [orderId])).rows[0] as OrderForTickets | undefined;
      if (order === undefined) throw new Error('no such order');
      if (order.status !== 'paid' && order.status !== 'ticketed') {
        deps.log('info', `tickets-issue: order ${orderId} is ${order.status}; no tickets to issue`);
        return;
      }
      const tickets = (await tx.query(
        `SELECT t.id, t.type_id, t.version, t.secret, t.holder_name, tt.name AS type_name
           FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id
          WHERE t.order_id = $1 OR t.hold_id = $2 ORDER BY t.id FOR UPDATE OF t`,
        [orderId, order.ticketed_hold_id ?? order.hold_id])).rows as TicketForIssue[];
      // The confirmed hold's tickets are durable before payment-confirmed queues this job: none means not yet visible, so retry.
      if (tickets.length === 0) throw new Error('the order has no tickets yet');
      const key = await eventSigningKey(tx, order.event_id, deps.config.ticketServerKey);
      const fresh = tickets.filter((t) => t.secret === null);
      for (const t of fresh) {
        t.secret = encodeTicketSecret({ ticketId: t.id, eventId: order.event_id, typeId: t.type_id, version: t.version }, key.privateKey);
        t.holder_name ??= order.buyer_name;
      }
      // One statement for the whole order: a big order costs one round trip, not one per ticket.
      if (fresh.length > 0) {
        await tx.query(
          `UPDATE tickets t SET order_id = $1, secret = u.secret, secret_issued_at = now(), holder_name = u.holder_name
             FROM unnest($2::uuid[], $3::text[], $4::text[]) AS u (id, secret, holder_name) WHERE t.id = u.id`,
          [orderId, fresh.map((t) => t.id), fresh.map((t) => t.secret), fresh.map((t) => t.holder_name)],
        );
      }
      await tx.query(`UPDATE orders SET status = 'ticketed', ticketed_at = now(), updated_at = now() WHERE id = $1 AND status = 'paid'`, [orderId]);
      // The event's reminder is scheduled with its first tickets (keyed by event and start, so once); nothing once its moment has passed.
      await scheduleEventReminder(deps.jobs, { id: order.event_id, startsAt: order.starts_at, reminderHours: order.reminder_hours }, deps.now(), tx);
      const poster = await emailPosterOf(tx, order.event_id, deps.config.publicUrl);
      await notifyBuyer(tx, deps, order.buyer_id, issuedNotice(deps.config, order, tickets, poster, new Date(deps.now())));
    });
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message} (queue tickets-issue, order ${orderId})`;
    throw error;
  }
};
