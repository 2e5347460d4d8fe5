import { z } from 'zod';
import { checkinSchema, syncSchema } from '../../routes/checkin.ts';
import { createListSchema, patchListSchema, staffSchema } from '../../routes/checkin_admin.ts';
import { lookupQuerySchema } from '../../validation.ts';
import { checkinAnswer, checkinList, id, scannedTicket, staffEntry, syncAnswer, time } from '../answers.ts';
import type { RouteDoc } from '../describe.ts';

const scanners = ['staff', 'organizer', 'participant'] as const;
const scannerNote = 'For the event\'s assigned staff and its organizer; anyone else gets 404, as for a missing event.';
const eventId = { id: 'The event id.' };
const listParams = { id: 'The event id.', listId: 'The check-in list id.' };

export const checkinRoutes: RouteDoc[] = [
  {
    method: 'get', pattern: '/api/events/:id/keys', tag: 'Check-in', auth: ['none'], summary: 'The event\'s public key and revoked tickets (for offline scanners)',
    description: 'Public: a scanner caches it before the doors open and checks ticket signatures offline. See the README, "Ticket secrets", for the exact bytes signed.',
    params: eventId,
    answers: {
      200: {
        description: 'The key.', schema: z.object({
          eventId: id, algorithm: z.literal('Ed25519'), format: z.literal('TK1'),
          publicKey: z.string().meta({ description: 'The raw 32-byte Ed25519 public key, base64url without padding.' }),
          revoked: z.array(z.object({ ticketId: id, validVersion: z.number().int().nullable() })).meta({ description: 'Tickets whose older secrets are void: only the secret of `validVersion` admits; null: the ticket is revoked (refunded).' }),
          generatedAt: time,
        }),
      },
    },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'post', pattern: '/api/checkin', tag: 'Check-in', auth: ['bearer'], roles: scanners, summary: 'Scan a ticket at a gate (online)',
    description: 'One conditional UPDATE: two gates scanning the same ticket at once admit it once. Refusals of the ticket (forged, used, revoked, wrong list) are answers (200), not errors. '
      + 'For the event\'s assigned staff and its organizer; anyone else gets 404 `list_not_found`.',
    body: { schema: checkinSchema },
    answers: { 200: { description: 'Whether to admit.', schema: checkinAnswer } },
    errors: { 404: ['list_not_found', 'ticket_not_found'], 409: ['ambiguous_code'] },
  },
  {
    method: 'post', pattern: '/api/checkin/sync', tag: 'Check-in', auth: ['bearer'], roles: scanners, summary: 'Sync scans made offline',
    description: 'In order, each in its own transaction. The holder was already let in: a ticket that entered elsewhere first is a conflict, recorded and reported (GET /checkin/conflicts). Syncing again is safe (`duplicate`).',
    body: { schema: syncSchema },
    answers: { 200: { description: 'Counts and one result per scan.', schema: syncAnswer } },
    errors: { 404: ['list_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/checkin/stats', tag: 'Check-in', auth: ['bearer'], roles: scanners, summary: 'Tickets issued, used and revoked, per list and gate',
    description: scannerNote, params: eventId,
    answers: {
      200: {
        description: 'The numbers.', schema: z.object({
          eventId: id, issued: z.number().int(), used: z.number().int(), revoked: z.number().int(),
          lists: z.array(z.object({ listId: id, name: z.string(), used: z.number().int() })),
          gates: z.array(z.object({ gate: z.string().nullable(), used: z.number().int() })),
          conflicts: z.number().int(),
        }),
      },
    },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/checkin/conflicts', tag: 'Check-in', auth: ['bearer'], roles: scanners, summary: 'Tickets that entered at two gates',
    description: scannerNote, params: eventId,
    answers: {
      200: {
        description: 'The conflicts, newest first.', schema: z.object({
          eventId: id, conflicts: z.array(z.object({
            ticketId: id, holderName: z.string().nullable(), typeName: z.string(),
            first: z.object({ at: time.nullable(), gate: z.string().nullable(), device: z.string().nullable() }),
            second: z.object({ at: time, gate: z.string(), device: z.string(), receivedAt: time }),
          })),
        }),
      },
    },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/checkin/lookup', tag: 'Check-in', auth: ['bearer'], roles: scanners, summary: 'Look a holder up (when a QR code will not scan)',
    description: scannerNote, params: eventId, query: lookupQuerySchema,
    answers: {
      200: {
        description: 'Matching tickets.', schema: z.object({
          tickets: z.array(scannedTicket.extend({ status: z.enum(['valid', 'used', 'revoked']), usedAt: time.nullable(), usedGate: z.string().nullable() })),
        }),
      },
    },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/checkin/lists', tag: 'Check-in', auth: ['bearer'], roles: scanners, summary: 'The event\'s check-in lists',
    description: scannerNote, params: eventId,
    answers: { 200: { description: 'The lists.', schema: z.object({ lists: z.array(checkinList) }) } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'post', pattern: '/api/events/:id/checkin/lists', tag: 'Check-in', auth: ['bearer'], roles: ['organizer'], summary: 'Add a check-in list (a gate, or some ticket types)',
    params: eventId, body: { schema: createListSchema },
    answers: { 201: { description: 'The new list.', schema: checkinList } },
    errors: { 404: ['event_not_found'], 409: ['too_many_lists', 'list_name_taken'], 422: ['unknown_ticket_type'] },
  },
  {
    method: 'patch', pattern: '/api/events/:id/checkin/lists/:listId', tag: 'Check-in', auth: ['bearer'], roles: ['organizer'], summary: 'Rename a list or change its ticket types',
    params: listParams, body: { schema: patchListSchema },
    answers: { 200: { description: 'The list as changed.', schema: checkinList } },
    errors: { 404: ['event_not_found', 'list_not_found'], 409: ['list_name_taken'], 422: ['unknown_ticket_type'] },
  },
  {
    method: 'delete', pattern: '/api/events/:id/checkin/lists/:listId', tag: 'Check-in', auth: ['bearer'], roles: ['organizer'], summary: 'Delete a check-in list',
    params: listParams,
    answers: { 204: { description: 'Deleted.' } },
    errors: { 404: ['event_not_found', 'list_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/staff', tag: 'Staff', auth: ['bearer'], roles: ['organizer'], summary: 'The event\'s staff and open invites',
    params: eventId,
    answers: { 200: { description: 'Staff and invites.', schema: z.object({ staff: z.array(staffEntry) }) } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'post', pattern: '/api/events/:id/staff', tag: 'Staff', auth: ['bearer'], roles: ['organizer'], summary: 'Invite door staff by email',
    description: 'The same answer whether or not the email has an account, so an organizer cannot probe for accounts. A new person gets a set-your-password link; an existing account is assigned at once.',
    params: eventId, body: { schema: staffSchema },
    answers: { 202: { description: 'The invite (an email is on its way).', schema: staffEntry } },
    errors: { 404: ['event_not_found'], 429: ['too_many_invites'], 503: ['mail_unavailable'] },
  },
  {
    method: 'delete', pattern: '/api/events/:id/staff/:staffId', tag: 'Staff', auth: ['bearer'], roles: ['organizer'], summary: 'Remove a staff member or withdraw an invite',
    params: { id: 'The event id.', staffId: 'An id from GET /staff.' },
    answers: { 204: { description: 'Removed.' } },
    errors: { 404: ['event_not_found', 'staff_not_found'] },
  },
  {
    method: 'get', pattern: '/api/staff/events', tag: 'Staff', auth: ['bearer'], roles: scanners, summary: 'The events I may scan for',
    description: 'The scanner page\'s first call; accepts my pending invites.',
    answers: { 200: { description: 'The events.', schema: z.object({ events: z.array(z.object({ id, name: z.string(), venue: z.string(), startsAt: time, timeZone: z.string() })) }) } },
  },
];
