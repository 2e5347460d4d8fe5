import type { KeyObject } from 'node:crypto';
import { inTransaction } from '../db/transaction.ts';
import type { BatchJobHandler, JobDeps, SqlExecutor } from '../jobs/queues.ts';
import { ticketsUrl } from '../mail/links.ts';
import { queueEmails, type QueueEmail } from '../mail/outbox.ts';
import { emailPosterOf } from '../mail/poster.ts';
import type { EmailPoster } from '../mail/templates.ts';
import { scheduleEventReminder } from '../mail/reminder_job.ts';
import { channelsOf, type NotifyChoice } from '../sms/notify.ts';
import { queueSms, type QueueSms } from '../sms/outbox.ts';
import { sourcesOf } from '../orders/states.ts';
import { receiptOfLines, type Receipt, type StoredLine } from '../orders/receipt.ts';
import type { PaymentProviderName } from '../payments/provider.ts';
import { calendarToken, calendarUrl } from '../calendar/calendar_link.ts';
import type { Config } from '../config.ts';
import { eventSigningKey } from './event_keys.ts';
import { encodeTicketSecret } from './secret.ts';

type OrderForTickets = {
  id: string; event_id: string; status: string; locale: string; hold_id: string; ticketed_hold_id: string | null;
  buyer_email: string; buyer_name: string; event_name: string; venue: string; starts_at: Date; reminder_hours: number | null;
  notify: NotifyChoice; phone: string | null; time_zone: string;
} & OrderForReceipt;

/** The columns of an order its receipt is made of (the SELECTs of both issuing paths read them); `lines` are its order_lines. */
export type OrderForReceipt = {
  type_id: string; type_name: string; quantity: number; unit_price: string | number; amount: string | number; currency: string;
  provider: PaymentProviderName; created_at: Date; paid_at: Date | null; promo_code: string | null; lines: StoredLine[] | null;
};

/** The SELECT list for OrderForReceipt, with `ot` the order's ticket type joined; the lines as one JSON array (no extra statement). */
export const receiptColumns = `o.type_id, ot.name AS type_name, o.quantity, o.unit_price, o.amount, o.currency, o.provider, o.created_at, o.paid_at, o.promo_code,
  (SELECT json_agg(json_build_object('typeId', l.type_id, 'typeName', lt.name, 'quantity', l.quantity, 'unitPrice', l.unit_price, 'unitDiscount', l.unit_discount) ORDER BY l.line)
     FROM order_lines l JOIN ticket_types lt ON lt.id = l.type_id WHERE l.order_id = o.id) AS lines`;

/**
 * An order's receipt from its row: a line per order line (a basket has one per
 * type) and the promo code's discount. `paidAt` stands in while the order is
 * being paid in the same transaction.
 */
export function receiptOfRow(order: OrderForReceipt & { id: string; time_zone: string }, paidAt: Date): Receipt | null {
  const lines = order.lines ?? [{ typeId: order.type_id, typeName: order.type_name, quantity: order.quantity, unitPrice: Number(order.unit_price), unitDiscount: 0 }];
  return receiptOfLines({ id: order.id, amount: Number(order.amount), currency: order.currency.trim(), provider: order.provider, createdAt: order.created_at, paidAt: order.paid_at ?? paidAt },
    lines.map((l) => ({ ...l, unitPrice: Number(l.unitPrice), unitDiscount: Number(l.unitDiscount) })), order.promo_code, order.time_zone);
}

type TicketForIssue = { id: string; order_id: string | null; hold_id: string; type_id: string; version: number; secret: string | null; holder_name: string | null; type_name: string };

/**
 * What `tickets-issue` does for one order (issue_job.ts), for many orders in
 * the caller's transaction with a fixed number of statements: lock the
 * orders, lock their tickets, sign the fresh ones (Ed25519, in this thread),
 * write every secret with one `unnest` UPDATE, move the orders to `ticketed`,
 * and queue the confirmation emails with one INSERT and one job insert.
 *
 * Answers the orders it settled: ticketed now or before, or in a state that
 * gets no tickets (refunded, failed). `paying` (payment-confirmed's batch):
 * the orders are not paid yet and go from pending (failed, expired) to
 * ticketed in the same UPDATE; one in any other state is not settled. An order whose tickets are not visible
 * yet is left out, for the per-job handler to retry. Throws (rolling the
 * caller's transaction back) when an event's key cannot be opened.
 */
export async function issueOrders(tx: SqlExecutor, deps: JobDeps, orderIds: string[], opts: { paying?: boolean } = {}): Promise<Set<string>> {
  const settled = new Set<string>();
  if (orderIds.length === 0) return settled;
  // ORDER BY id: two batches lock shared orders in the same order (no deadlock).
  const orders = (await tx.query(
    `SELECT o.id, o.event_id, o.status, o.locale, o.hold_id, o.ticketed_hold_id,
            a.email AS buyer_email, a.name AS buyer_name, a.notify, a.phone, e.name AS event_name, e.venue, e.starts_at, e.reminder_hours, e.time_zone,
            ${receiptColumns}
       FROM orders o JOIN accounts a ON a.id = o.buyer_id JOIN events e ON e.id = o.event_id JOIN ticket_types ot ON ot.id = o.type_id
      WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR UPDATE OF o`, [orderIds])).rows as OrderForTickets[];
  const issuable = new Set(opts.paying ? ['paid', 'ticketed', ...sourcesOf('paid')] : ['paid', 'ticketed']);
  const issuing = orders.filter((o) => issuable.has(o.status));
  // Not paying: an order in another state (refunded, failed) gets nothing, and its job is done. Paying: the caller decides.
  if (!opts.paying) for (const o of orders) if (!issuing.includes(o)) settled.add(o.id);
  if (issuing.length === 0) return settled;

  const ticketsOf = await lockTicketsOf(tx, issuing);

  // One key per event of the batch (a sell-out's batch is one event), opened before the loop.
  const keys = new Map<string, KeyObject>();
  for (const eventId of new Set(issuing.map((o) => o.event_id))) keys.set(eventId, (await eventSigningKey(tx, eventId, deps.config.ticketServerKey)).privateKey);
  const posters = new Map<string, EmailPoster | null>();
  for (const eventId of keys.keys()) posters.set(eventId, await emailPosterOf(tx, eventId, deps.config.publicUrl));
  const fresh: { ticket: TicketForIssue; orderId: string }[] = [];
  const emails: QueueEmail<'order_confirmation'>[] = [];
  // Buyers who chose SMS (rare): one text each, as the per-order job sends it.
  const texts: QueueSms<'tickets_issued'>[] = [];
  const events = new Map<string, OrderForTickets>();
  for (const order of issuing) {
    const own = ticketsOf.get(order.id);
    // Not visible yet (payment-confirmed wrote them before queueing): the per-job handler retries.
    if (own === undefined) continue;
    const key = keys.get(order.event_id)!;
    for (const t of own) {
      if (t.secret !== null) continue;
      t.secret = encodeTicketSecret({ ticketId: t.id, eventId: order.event_id, typeId: t.type_id, version: t.version }, key);
      t.holder_name ??= order.buyer_name;
      fresh.push({ ticket: t, orderId: order.id });
    }
    events.set(order.event_id, order);
    const channels = channelsOf(deps.config, order);
    const notice = issuedNotice(deps.config, order, own, posters.get(order.event_id) ?? null, new Date(deps.now()));
    if (channels.email) emails.push(notice.email);
    if (channels.smsTo !== null) texts.push({ ...notice.sms, to: channels.smsTo });
    settled.add(order.id);
  }
  await writeIssued(tx, fresh, issuing.filter((o) => o.status !== 'ticketed' && ticketsOf.has(o.id)).map((o) => o.id), issuable);
  for (const o of events.values()) {
    await scheduleEventReminder(deps.jobs, { id: o.event_id, startsAt: o.starts_at, reminderHours: o.reminder_hours }, deps.now(), tx);
  }
  await queueEmails(tx, deps.jobs, emails);
  for (const text of texts) await queueSms(tx, deps.jobs, text);
  return settled;
}

/** The tickets of each order, locked: by the order they were issued to, or by the hold they were made for. */
async function lockTicketsOf(tx: SqlExecutor, issuing: OrderForTickets[]): Promise<Map<string, TicketForIssue[]>> {
  const byHold = new Map(issuing.map((o) => [o.ticketed_hold_id ?? o.hold_id, o]));
  const byId = new Map(issuing.map((o) => [o.id, o]));
  const tickets = (await tx.query(
    `SELECT t.id, t.order_id, t.hold_id, t.type_id, t.version, t.secret, t.holder_name, tt.name AS type_name
       FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id
      WHERE t.order_id = ANY($1::uuid[]) OR t.hold_id = ANY($2::text[]) ORDER BY t.id FOR UPDATE OF t`,
    [issuing.map((o) => o.id), [...byHold.keys()]])).rows as TicketForIssue[];
  const ticketsOf = new Map<string, TicketForIssue[]>();
  for (const t of tickets) {
    const order = (t.order_id === null ? undefined : byId.get(t.order_id)) ?? byHold.get(t.hold_id);
    if (order === undefined) continue;
    const list = ticketsOf.get(order.id);
    if (list === undefined) ticketsOf.set(order.id, [t]);
    else list.push(t);
  }
  return ticketsOf;
}

/** The new secrets and holder names, and `ticketed` orders moved to ticketed (from any of the `issuable` states). */
async function writeIssued(tx: SqlExecutor, fresh: { ticket: TicketForIssue; orderId: string }[], ticketed: string[], issuable: Set<string>): Promise<void> {
  if (fresh.length > 0) {
    // One JSON document, not four arrays: node-postgres escapes every array element in JavaScript, JSON.stringify is native.
    await tx.query(
      `UPDATE tickets t SET order_id = u.order_id, secret = u.secret, secret_issued_at = now(), holder_name = u.holder_name
         FROM json_to_recordset($1::json) AS u (id uuid, order_id uuid, secret text, holder_name text) WHERE t.id = u.id`,
      [JSON.stringify(fresh.map((f) => ({ id: f.ticket.id, order_id: f.orderId, secret: f.ticket.secret, holder_name: f.ticket.holder_name })))],
    );
  }
  if (ticketed.length > 0) {
    // Paying: paid and ticketed in one step, one UPDATE per row (a row updated twice in one transaction re-runs its foreign-key checks).
    await tx.query(
      `UPDATE orders SET status = 'ticketed', ticketed_at = now(), updated_at = now(),
              paid_at = CASE WHEN status = 'paid' THEN paid_at ELSE now() END, ticketed_hold_id = COALESCE(ticketed_hold_id, hold_id)
        WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])`, [ticketed, [...issuable].filter((st) => st !== 'ticketed')]);
  }
}

/**
 * The notice of an order's tickets, by email and by SMS, as both issuing paths
 * (this batch and issue_job.ts) queue it; which of the two go is the buyer's
 * choice (sms/notify.ts).
 */
export function issuedNotice(
  config: Pick<Config, 'publicUrl' | 'tokenSecret'>,
  order: Pick<OrderForTickets, 'id' | 'locale' | 'buyer_email' | 'buyer_name' | 'event_name' | 'venue' | 'starts_at' | 'time_zone'> & OrderForReceipt,
  tickets: Pick<TicketForIssue, 'id' | 'type_name' | 'holder_name'>[],
  poster: EmailPoster | null,
  now: Date,
): { email: QueueEmail<'order_confirmation'>; sms: Omit<QueueSms<'tickets_issued'>, 'to'> } {
  const { publicUrl } = config;
  const url = ticketsUrl(publicUrl, order.id);
  const startsAt = order.starts_at.toISOString();
  // Null (lines that do not add up to the amount): the email goes without a receipt rather than with a wrong one.
  const receipt = receiptOfRow(order, now);
  return {
    email: {
      to: order.buyer_email,
      template: 'order_confirmation',
      locale: order.locale,
      key: `order_confirmation:${order.id}`,
      data: {
        name: order.buyer_name, eventName: order.event_name, venue: order.venue, startsAt, timeZone: order.time_zone, orderId: order.id, ticketsUrl: url,
        tickets: tickets.map((t) => ({ ticketId: t.id, typeName: t.type_name, holderName: t.holder_name ?? order.buyer_name })),
        poster,
        ...(receipt === null ? {} : { receipt }),
        calendarUrl: calendarUrl(publicUrl, order.id, calendarToken(config.tokenSecret, order.id)),
      },
    },
    sms: { template: 'tickets_issued', locale: order.locale, key: `tickets_issued:${order.id}`, data: { eventName: order.event_name, startsAt, ticketsUrl: url } },
  };
}

/** `tickets-issue` for a fetched batch: one transaction for all its orders (issueOrders). */
export const issueTicketsBatch: BatchJobHandler<'tickets-issue'> = async (deps, jobs) => {
  const orderIds = [...new Set(jobs.map((j) => j.data.orderId))];
  const settled = await inTransaction(deps.db, (tx) => issueOrders(tx, deps, orderIds));
  return new Set(jobs.filter((j) => settled.has(j.data.orderId)).map((j) => j.id));
};
