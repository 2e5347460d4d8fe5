import { z } from 'zod';
import { createEventSchema, eventsQuerySchema, idempotencyKeySchema, patchEventSchema, placeBasketSchema, placeHoldSchema } from '../../validation.ts';
import { basket, event, hold, id, poster } from '../answers.ts';
import type { RouteDoc } from '../describe.ts';

const engineBusy = { 503: ['busy', 'shard_unavailable'] } as const;
const eventId = { id: 'The event id.' };
const holdId = { id: 'The hold id (from POST /api/events/:id/holds).' };
const anyone = ['participant', 'organizer', 'staff', 'operator', 'admin'] as const;

export const eventRoutes: RouteDoc[] = [
  {
    method: 'post', pattern: '/api/events/:id/publish', tag: 'Events', auth: ['bearer'], roles: ['organizer'], summary: 'Publish my draft event',
    description: 'From then on anyone sees it and it sells (from its sale start). One way; publishing a published event changes nothing.',
    params: eventId,
    answers: { 200: { description: 'The event, published.', schema: event } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'put', pattern: '/api/events/:id/poster', tag: 'Events', auth: ['bearer'], roles: ['organizer'], summary: 'Upload or replace my event\'s poster',
    description: 'The body is the picture itself (JPEG, PNG or WebP, at most 5 MB), with its Content-Type. It is decoded by its bytes, never by the header: anything else is refused and nothing is stored.',
    params: eventId,
    body: { schema: z.string().meta({ format: 'binary' }), kind: 'raw', description: 'image/jpeg, image/png or image/webp; at most 5,242,880 bytes.' },
    answers: { 200: { description: 'The poster as the event now shows it.', schema: z.object({ poster }) } },
    errors: { 403: ['forbidden'], 404: ['event_not_found'], 415: ['unsupported_media_type', 'unsupported_image'], 422: ['not_an_image', 'image_too_large'], 503: ['busy'] },
  },
  {
    method: 'delete', pattern: '/api/events/:id/poster', tag: 'Events', auth: ['bearer'], roles: ['organizer'], summary: 'Remove my event\'s poster',
    params: eventId,
    answers: { 204: { description: 'Removed (also when there was none).' } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/posters/:file', tag: 'Events', auth: ['none'], summary: 'A poster rendition',
    description: 'Named by the SHA-256 of its bytes: `Cache-Control: public, max-age=31536000, immutable`, an ETag, and 304 to `If-None-Match`.',
    params: { file: '<64 hex digits>.webp or .jpg, from a poster\'s renditions.' },
    answers: { 200: { description: 'The picture.', text: 'image/webp' }, 304: { description: 'Not modified.' } },
    errors: { 404: ['poster_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events', tag: 'Events', auth: ['none', 'bearer'], summary: 'List events',
    description: 'The published events, or with `mine=1` the signed-in organizer\'s own (then a bearer token of an organizer is needed).',
    query: eventsQuerySchema,
    answers: { 200: { description: 'At most 200 events.', schema: z.object({ events: z.array(event) }) } },
    errors: { 401: ['unauthenticated'], 403: ['forbidden'] },
  },
  {
    method: 'get', pattern: '/api/events/:id', tag: 'Events', auth: ['none'], summary: 'One event, with live availability', params: eventId,
    answers: { 200: { description: 'The event.', schema: event } },
    errors: { 404: ['event_not_found'], ...engineBusy },
  },
  {
    method: 'post', pattern: '/api/events', tag: 'Events', auth: ['bearer'], roles: ['organizer'], summary: 'Create an event with its ticket types',
    body: { schema: createEventSchema },
    answers: { 201: { description: 'The new event.', schema: event } },
    errors: { 422: ['unknown_currency'] },
  },
  {
    method: 'patch', pattern: '/api/events/:id', tag: 'Events', auth: ['bearer'], roles: ['organizer'], summary: 'Change an event (its organizer)',
    description: 'Only the fields sent change. A capacity below what is sold and held is refused and changes nothing. Another organizer\'s event answers 404.',
    params: eventId, body: { schema: patchEventSchema },
    answers: { 200: { description: 'The event as changed.', schema: event } },
    errors: { 404: ['event_not_found'], 409: ['capacity_below_committed'], 422: ['unknown_ticket_type'], ...engineBusy },
  },
  {
    method: 'post', pattern: '/api/events/:id/holds', tag: 'Holds', auth: ['bearer'], roles: ['participant'], summary: 'Hold tickets, of one type or a basket (the hot path)',
    description: 'Takes tickets off sale for the event\'s hold TTL; check out before `expiresAt`. Idempotent per Idempotency-Key: a retry with the same key and body gets the same hold (or basket). '
      + 'A basket (`items`) holds several ticket types at once, one hold per type, all or none: if one type cannot be held, none is, and the answer is that type\'s refusal. '
      + 'The per-person limit counts the whole basket. Check a basket out with POST /api/holds/:id/checkout and `basket`. '
      + 'A drop with a queue needs the admission token of an admitted place (a basket spends it as one hold).',
    params: eventId,
    headers: z.object({ 'idempotency-key': idempotencyKeySchema, 'admission-token': z.string().optional().meta({ description: 'A queued drop only: the token of POST /api/events/:id/admission.' }) }),
    body: { schema: z.union([placeHoldSchema, placeBasketSchema]), description: '`{ typeId, quantity }` for one type, or `{ items: [{ typeId, quantity }, ...] }` for a basket (each type once).' },
    answers: { 201: { description: 'The hold, or the basket\'s holds.', schema: z.union([hold, basket]) } },
    errors: {
      400: ['idempotency_key_required', 'admission_token_malformed', 'no_client_address'],
      403: ['sale_not_started', 'sale_ended', 'verification_required', 'admission_token_required', 'admission_token_forged', 'admission_token_wrong_drop',
        'admission_token_wrong_account', 'admission_token_expired'],
      404: ['event_not_found'],
      409: ['sold_out', 'limit_reached', 'address_limit_reached'],
      410: ['event_cancelled'],
      422: ['unknown_ticket_type', 'idempotency_key_reused', 'admission_quantity_exceeded'],
      ...engineBusy,
    },
  },
  {
    method: 'get', pattern: '/api/holds/:id', tag: 'Holds', auth: ['bearer'], roles: anyone, summary: 'One of my holds',
    description: 'Someone else\'s hold answers 404 like a missing one (operators see any).', params: holdId,
    answers: { 200: { description: 'The hold.', schema: hold } },
    errors: { 404: ['hold_not_found'], ...engineBusy },
  },
  {
    method: 'delete', pattern: '/api/holds/:id', tag: 'Holds', auth: ['bearer'], roles: ['participant'], summary: 'Release my hold',
    params: holdId,
    answers: { 200: { description: 'The released hold.', schema: hold } },
    errors: { 404: ['hold_not_found'], 410: ['hold_expired'], ...engineBusy },
  },
  {
    method: 'post', pattern: '/api/holds/:id/confirm', tag: 'Holds', auth: ['bearer'], roles: ['operator'], summary: 'Confirm a hold without payment (operator)',
    params: holdId,
    answers: { 200: { description: 'The confirmed hold and its ticket ids.', schema: z.object({ hold, ticketIds: z.array(id) }) } },
    errors: { 404: ['hold_not_found'], 410: ['hold_expired'], ...engineBusy },
  },
];
