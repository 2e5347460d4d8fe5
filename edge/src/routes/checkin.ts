import { z } from 'zod';
import { selectConflicts, selectStats } from '../../../engine/src/checkin/lists.ts';
import { checkIn, syncScan, ticketView, type SyncResult } from '../../../engine/src/checkin/scan.ts';
import { searchTickets, ticketCodePattern, ticketIdsByCode } from '../../../engine/src/checkin/verify.ts';
import { checkinConflictsListMax, checkinLookupMax, checkinSyncScansMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { lookupQuerySchema, normalizeUuid, parseBody, parseQuery } from '../validation.ts';
import { eventIdParam } from './events.ts';
import { requireScannerList, requireScannerOf, textField, uuidField } from './checkin_access.ts';

export type CheckinDeps = { db: Db };

/** A TK1 secret is 185 characters; anything much longer is not one. */
const secretField = z.string({ error: 'secret must be the text of the ticket\'s QR code' }).max(400, { error: 'secret must be at most 400 characters' });
const oneTicket = { message: 'send exactly one of secret (the scanned QR text), ticketId, or code (the 8-character code printed on the pass, typed in by staff)' };
const codeField = z.string({ error: 'code must be the 8-character code printed on the pass, e.g. 31E6220C' })
  .trim().regex(ticketCodePattern, { error: 'code must be the 8 letters and digits printed on the pass, e.g. 31E6220C' });

export const checkinSchema = z.strictObject({
  list: uuidField('list').meta({ description: 'The check-in list (gate) scanning: GET /api/events/:id/checkin/lists.' }),
  secret: secretField.optional().meta({ description: 'The scanned QR text (`TK1:…`). Send this, ticketId or code.' }),
  ticketId: uuidField('ticketId').optional().meta({ description: 'A ticket id typed in by staff (from the look-up). Send this, secret or code.' }),
  code: codeField.optional().meta({ description: 'The 8-character code printed on the pass (the ticket id\'s first 8 hex digits), typed in by staff; looked up online. Send this, secret or ticketId.' }),
  gate: textField('gate', 100).optional().meta({ description: 'Where; default: the list\'s name.' }),
  device: textField('device', 100).optional().meta({ description: 'Which scanner; default "online".' }),
}).refine((b) => [b.secret, b.ticketId, b.code].filter((v) => v !== undefined).length === 1, oneTicket).meta({ description: 'Exactly one of secret, ticketId or code.' });

const offlineScanSchema = z.strictObject({
  secret: secretField.optional(),
  ticketId: uuidField('ticketId').optional(),
  scannedAt: z.iso.datetime({ offset: true, error: 'scannedAt must be an ISO 8601 date-time, e.g. 2027-07-10T20:00:00Z' }).transform((s) => new Date(s))
    .meta({ description: 'When the scanner admitted the holder (within two days of now).' }),
  gate: textField('gate', 100),
  device: textField('device', 100).meta({ description: 'The scanner; with ticket and time it makes a scan unique, so a sync sent twice counts once.' }),
}).refine((b) => (b.secret === undefined) !== (b.ticketId === undefined), oneTicket).meta({ description: 'One scan made offline: exactly one of secret or ticketId.' });

export const syncSchema = z.strictObject({
  list: uuidField('list'),
  scans: z.array(offlineScanSchema, { error: 'scans must be an array of scans' })
    .min(1, { error: 'scans must hold at least one scan' })
    .max(checkinSyncScansMax, { error: `scans must hold at most ${checkinSyncScansMax} scans; send the rest in another sync` })
    .meta({ description: 'In the order they were made.' }),
});

/** A scan's clock may be wrong, but not by days: a time far from now is a scanner bug, refused rather than recorded. */
const scanClockSkewMs = 2 * 24 * 60 * 60_000;

/** Door-side routes: scan online, sync offline scans, watch the numbers, look a holder up. */
export function mountCheckin(router: Router, deps: CheckinDeps): void {
  mountScans(router, deps);
  mountDoorWatch(router, deps);
}

/** Scans: one online, or a batch the scanner kept offline. */
function mountScans(router: Router, { db }: CheckinDeps): void {
  router.route('post', '/api/checkin', async (ctx) => {
    const input = parseBody(checkinSchema, ctx.body);
    const { claims, list } = await requireScannerList(ctx, db, input.list);
    let ticketId = input.ticketId;
    if (input.code !== undefined) {
      // A typed code is looked up online, then admitted like a ticket id staff picked: same check-in, same single admission.
      const found = await ticketIdsByCode(db, list.eventId, input.code);
      if (found.length === 0) throw new HttpError(404, 'ticket_not_found', `No ticket of this event has the code ${input.code.toUpperCase()}; check the code on the pass, or search by the holder's name.`);
      if (found.length > 1) throw new HttpError(409, 'ambiguous_code', `Two tickets of this event share the code ${input.code.toUpperCase()}; search by the holder's name or order instead.`);
      ticketId = found[0]!;
    }
    const answer = await checkIn(db, list, {
      secret: input.secret, ticketId, gate: input.gate ?? list.name, device: input.device ?? 'online', staffId: claims.sub,
    });
    return { status: 200, body: answer };
  }, { body: true });

  router.route('post', '/api/checkin/sync', async (ctx) => {
    const input = parseBody(syncSchema, ctx.body);
    const { claims, list } = await requireScannerList(ctx, db, input.list);
    const now = Date.now();
    input.scans.forEach((s, i) => {
      if (Math.abs(s.scannedAt.getTime() - now) > scanClockSkewMs) {
        throw new HttpError(400, 'invalid_body', `scans[${i}].scannedAt is more than two days from now; check the scanner's clock`, { field: `scans[${i}].scannedAt` });
      }
    });
    const results: SyncResult[] = [];
    // In order, one transaction each: a later scan of the same ticket sees the earlier one.
    for (const [i, scan] of input.scans.entries()) results.push(await syncScan(db, list, claims.sub, scan, i));
    const count = (o: SyncResult['outcome']) => results.filter((r) => r.outcome === o).length;
    return {
      status: 200,
      body: {
        list: { id: list.id, name: list.name },
        admitted: count('admitted'), duplicates: count('duplicate'), conflicts: count('conflict'),
        refused: results.length - count('admitted') - count('duplicate') - count('conflict'),
        results,
      },
    };
  }, { body: true });
}

/** What the door sees: the numbers, the conflicts, a holder looked up. */
function mountDoorWatch(router: Router, { db }: CheckinDeps): void {
  router.route('get', '/api/events/:id/checkin/stats', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireScannerOf(ctx, db, eventId);
    return { status: 200, body: { eventId, ...(await selectStats(db, eventId)) } };
  });

  router.route('get', '/api/events/:id/checkin/conflicts', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireScannerOf(ctx, db, eventId);
    return { status: 200, body: { eventId, conflicts: await selectConflicts(db, eventId, checkinConflictsListMax) } };
  });

  // Manual look-up when a QR code will not scan: by holder name (part of it) or order id.
  router.route('get', '/api/events/:id/checkin/lookup', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await requireScannerOf(ctx, db, eventId);
    const query = parseQuery(lookupQuerySchema, ctx.query);
    let tickets;
    if (query.orderId !== undefined) {
      tickets = await searchTickets(db, eventId, { orderId: query.orderId }, checkinLookupMax);
    } else {
      const q = (query.q ?? '').trim();
      const asOrder = normalizeUuid(q);
      tickets = await searchTickets(db, eventId, asOrder === null ? { name: q } : { orderId: asOrder }, checkinLookupMax);
    }
    return {
      status: 200,
      body: { tickets: tickets.map((t) => ({ ...ticketView(t), status: t.status, usedAt: t.usedAt?.toISOString() ?? null, usedGate: t.usedGate })) },
    };
  });
}
