import { z } from 'zod';
import { cancelEventSchema } from '../../validation.ts';
import { cancellation } from '../answers.ts';
import type { RouteDoc } from '../describe.ts';

const eventId = { id: 'The event id.' };

/** Cancelling an event and the attendee list (#15): edge/src/routes/event_cancel.ts. */
export const cancellationRoutes: RouteDoc[] = [
  {
    method: 'post', pattern: '/api/events/:id/cancel', tag: 'Events', auth: ['bearer'], roles: ['organizer'], summary: 'Cancel my event',
    description: 'Confirmed by the event\'s name. At once: the event is cancelled (buyers see it so), it sells nothing more and every ticket is revoked (the scanner refuses them). '
      + 'The `event-cancel` job then releases the open holds and refunds every paid order through its provider (a Konnect order becomes a manual refund for an operator); '
      + 'each buyer is told in their language, by email and/or SMS as they chose. Cancelling again answers the cancellation as it stands (200). Another organizer\'s event answers 404.',
    params: eventId, body: { schema: cancelEventSchema },
    answers: {
      200: { description: 'Cancelled before: how far it got.', schema: cancellation },
      202: { description: 'Cancelled; the refunds are under way (GET /api/events/:id/cancellation follows them).', schema: cancellation },
    },
    errors: { 404: ['event_not_found'], 422: ['confirmation_mismatch'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/cancellation', tag: 'Events', auth: ['bearer'], roles: ['organizer', 'operator'], summary: 'How far the cancellation of my event got',
    description: 'The event\'s organizer, or an operator. `cancellation` is null while the event is not cancelled. Progress is `orders.refunded` of `orders.total`.',
    params: eventId,
    answers: { 200: { description: 'The cancellation, or null.', schema: z.object({ cancellation: cancellation.nullable() }) } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/attendees', tag: 'Check-in', auth: ['bearer'], roles: ['organizer', 'operator'], summary: 'The attendee list, as CSV',
    description: 'The event\'s organizer, or an operator. One line per ticket that admits or admitted: name (the ticket holder\'s, else the buyer\'s), email, ticket type, order, ticket, '
      + 'checked in (yes/no) and when, in the event\'s time zone (named in the header). RFC 4180, UTF-8 with a byte order mark (Excel), and a field that a spreadsheet '
      + 'would run as a formula (starting with = + - @, tab or CR) is prefixed with \'. Streamed, so a large event downloads without being built in memory.',
    params: eventId,
    answers: { 200: { description: 'The CSV.', text: 'text/csv; charset=utf-8', headers: { 'content-disposition': 'attachment; filename="attendees-<event id>.csv"' } } },
    errors: { 404: ['event_not_found'] },
  },
];
