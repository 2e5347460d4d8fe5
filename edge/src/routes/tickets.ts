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
import { eventIdParam, isOwnEvent } from '../auth/own_event.ts';
import { selectEventAccess } from '../../../engine/src/db/events.ts';
import { selectOwnerTicket, selectOwnerTickets, selectTicketedOrder, type OwnerTicketRow } from '../../../engine/src/tickets/owner_tickets.ts';

export type TicketsDeps = { config: Config; db: Db };

const orderNotFound = () => new HttpError(404, 'order_not_found', 'No such order; check the order id.');
const ticketNotFound = () => new HttpError(404, 'ticket_not_found', 'No such ticket; check the ticket id.');

/** A ticket as its owner sees it: the secret and its QR images while it can still admit. */
async function ownerTicketView(t: OwnerTicketRow) {
  const live = t.secret !== null && t.status !== 'revoked';
  return {
    id: t.id, typeId: t.typeId, typeName: t.typeName, holderName: t.holderName, status: t.status, version: t.version,
    issuedAt: t.secretIssuedAt?.toISOString() ?? null, usedAt: t.usedAt?.toISOString() ?? null, usedGate: t.usedGate,
    secret: live ? t.secret : null,
    qr: live ? { png: `data:image/png;base64,${(await qrPng(t.secret!)).toString('base64')}`, svg: await qrSvg(t.secret!) } : null,
  };
}

export function mountTickets(router: Router, { config, db }: TicketsDeps): void {
  // Public: scanners cache this before the doors open and work offline with it.
  router.route('get', '/api/events/:id/keys', async (ctx) => {
    const eventId = eventIdParam(ctx);
    // A draft (#15) answers like a missing event to anyone but its organizer and its door staff.
    const row = await selectEventAccess(db, eventId, ctx.auth?.sub ?? null);
    const hidden = row !== null && row.status === 'draft' && !row.staff && !isOwnEvent(ctx, row);
    if (row === null || hidden) throw new HttpError(404, 'event_not_found', 'No such event; check the event id.');
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
    const order = await selectTicketedOrder(db, orderId);
    // Someone else's order answers like a missing one, so order ids cannot be probed.
    if (order === null || order.buyerId !== claims.sub) throw orderNotFound();
    const tickets = await Promise.all((await selectOwnerTickets(db, order)).map(ownerTicketView));
    return { status: 200, body: { orderId, eventId: order.eventId, status: order.status, tickets } };
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
    return { status: 200, body: await ownerTicketView(await selectOwnerTicket(db, ticketId)) };
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
    return { status: 200, body: await ownerTicketView(await selectOwnerTicket(db, ticketId)) };
  }, { body: false });
}
