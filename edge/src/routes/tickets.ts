import type { Config } from '../../../engine/src/config.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { ensureEventPublicKey } from '../../../engine/src/tickets/event_keys.ts';
import { inTransaction } from '../../../engine/src/db/transaction.ts';
import { qrPng, qrSvg } from '../../../engine/src/tickets/qr.ts';
import { setHolderName } from '../../../engine/src/tickets/holder.ts';
import { reissueTicket, selectRevocations } from '../../../engine/src/tickets/reissue.ts';
import { requireRole } from '../auth/guard.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { holderSchema, normalizeUuid, parseBody } from '../validation.ts';
import { eventIdParam, isOwnEvent } from './events.ts';

export type TicketsDeps = { config: Config; db: Db };

const orderNotFound = () => new HttpError(404, 'order_not_found', 'No such order; check the order id.');
const ticketNotFound = () => new HttpError(404, 'ticket_not_found', 'No such ticket; check the ticket id.');

type TicketRaw = { id: string; type_id: string; type_name: string; holder_name: string | null; status: string; version: number;
  secret: string | null; secret_issued_at: Date | null; used_at: Date | null; used_gate: string | null };

/** A ticket as its owner sees it: the secret and its QR images while it can still admit. */
async function ownerTicketView(t: TicketRaw) {
  const live = t.secret !== null && t.status !== 'revoked';
  return {
    id: t.id, typeId: t.type_id, typeName: t.type_name, holderName: t.holder_name, status: t.status, version: t.version,
    issuedAt: t.secret_issued_at?.toISOString() ?? null, usedAt: t.used_at?.toISOString() ?? null, usedGate: t.used_gate,
    secret: live ? t.secret : null,
    qr: live ? { png: `data:image/png;base64,${(await qrPng(t.secret!)).toString('base64')}`, svg: await qrSvg(t.secret!) } : null,
  };
}

export function mountTickets(router: Router, { config, db }: TicketsDeps): void {
  // Public: scanners cache this before the doors open and work offline with it.
  router.route('get', '/api/events/:id/keys', async (ctx) => {
    const eventId = eventIdParam(ctx);
    // A draft (#15) answers like a missing event to anyone but its organizer and its door staff.
    const row = (await db.query<{ status: string; organizerId: string; staff: boolean }>(
      `SELECT e.status, e.organizer_id AS "organizerId",
              EXISTS (SELECT 1 FROM event_staff s WHERE s.event_id = e.id AND s.account_id = $2) AS staff
         FROM events e WHERE e.id = $1`, [eventId, ctx.auth?.sub ?? null])).rows[0];
    const hidden = row !== undefined && row.status === 'draft' && !row.staff && !isOwnEvent(ctx, row);
    if (row === undefined || hidden) throw new HttpError(404, 'event_not_found', 'No such event; check the event id.');
    const publicKey = await ensureEventPublicKey(db, eventId, config.ticketServerKey);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { eventId, algorithm: 'Ed25519', format: 'TK1', publicKey, revoked: await selectRevocations(db, eventId), generatedAt: new Date().toISOString() },
    };
  });

  router.route('get', '/api/orders/:id/tickets', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const orderId = normalizeUuid(ctx.params.id ?? '');
    if (orderId === null) throw orderNotFound();
    const order = (await db.query('SELECT id, event_id, buyer_id, status, hold_id, ticketed_hold_id FROM orders WHERE id = $1', [orderId])).rows[0] as
      { id: string; event_id: string; buyer_id: string; status: string; hold_id: string; ticketed_hold_id: string | null } | undefined;
    // Someone else's order answers like a missing one, so order ids cannot be probed.
    if (order === undefined || order.buyer_id !== claims.sub) throw orderNotFound();
    const { rows } = await db.query(
      `SELECT t.id, t.type_id, tt.name AS type_name, t.holder_name, t.status, t.version, t.secret, t.secret_issued_at, t.used_at, t.used_gate
         FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id
        WHERE t.order_id = $1 OR t.hold_id = $2 ORDER BY t.id`, [orderId, order.ticketed_hold_id ?? order.hold_id]);
    const tickets = await Promise.all((rows as TicketRaw[]).map(ownerTicketView));
    return { status: 200, body: { orderId, eventId: order.event_id, status: order.status, tickets } };
  });

  router.route('put', '/api/tickets/:id/holder', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const ticketId = normalizeUuid(ctx.params.id ?? '');
    if (ticketId === null) throw ticketNotFound();
    const { name } = parseBody(holderSchema, ctx.body);
    const outcome = await setHolderName(db, ticketId, claims.sub, name);
    if (!outcome.ok) {
      switch (outcome.reason) {
        case 'not_found': throw ticketNotFound();
        case 'revoked': throw new HttpError(409, 'ticket_revoked', 'This ticket was revoked (refunded); its holder can no longer change.');
        case 'used': throw new HttpError(409, 'ticket_used', 'This ticket was already used at the door; its holder can no longer change.');
        case 'started': throw new HttpError(409, 'event_started', 'The event has started; ticket holders can no longer change.');
      }
    }
    return { status: 200, body: await ownerTicketView(await selectTicketRaw(db, ticketId)) };
  }, { body: true });

  router.route('post', '/api/tickets/:id/reissue', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const ticketId = normalizeUuid(ctx.params.id ?? '');
    if (ticketId === null) throw ticketNotFound();
    const outcome = await inTransaction(db, (tx) => reissueTicket(tx, ticketId, claims.sub, config.ticketServerKey));
    if (!outcome.ok) {
      switch (outcome.reason) {
        case 'not_found': throw ticketNotFound();
        case 'not_issued': throw new HttpError(409, 'ticket_not_issued', 'This ticket has not been issued yet; wait for the order confirmation.');
        case 'revoked': throw new HttpError(409, 'ticket_revoked', 'This ticket was revoked (refunded); it cannot be reissued.');
        case 'used': throw new HttpError(409, 'ticket_used', 'This ticket was already used at the door; it cannot be reissued.');
        case 'version_exhausted': throw new HttpError(409, 'reissue_limit', 'This ticket was reissued too many times; contact the organizer.');
      }
    }
    return { status: 200, body: await ownerTicketView(await selectTicketRaw(db, ticketId)) };
  }, { body: false });
}

/** One ticket as its owner sees it after a change (holder renamed, secret reissued). */
async function selectTicketRaw(db: Db, ticketId: string): Promise<TicketRaw> {
  const { rows } = await db.query(
    `SELECT t.id, t.type_id, tt.name AS type_name, t.holder_name, t.status, t.version, t.secret, t.secret_issued_at, t.used_at, t.used_gate
       FROM tickets t JOIN ticket_types tt ON tt.id = t.type_id WHERE t.id = $1`, [ticketId]);
  return rows[0] as TicketRaw;
}
