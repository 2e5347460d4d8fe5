import { z } from 'zod';
import { admissionSchema, dropSettingsSchema, joinSchema } from '../../queue/validation.ts';
import { dropSettings, id, queueStatus, time } from '../answers.ts';
import type { RouteDoc } from '../describe.ts';

const tag = 'Queue';
const joined = z.object({
  eventId: id, queueTicketId: z.string(), seq: z.number().int(), place: z.number().int().nullable(),
  queueTicket: z.string().nullable().meta({ description: 'The signed queue ticket; null until the lottery gives a place.' }), queue: queueStatus,
});
const eventId = { id: 'The drop\'s event id.' };
const busy = { 503: ['busy', 'shard_unavailable', 'queue_full'] } as const;

export const queueRoutes: RouteDoc[] = [
  {
    method: 'get', pattern: '/api/events/:id/queue/settings', tag, auth: ['bearer'], roles: ['organizer'], summary: 'The drop\'s queue settings (its organizer)',
    params: eventId,
    answers: { 200: { description: 'The settings (defaults until changed).', schema: dropSettings } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'patch', pattern: '/api/events/:id/queue/settings', tag, auth: ['bearer'], roles: ['organizer'], summary: 'Change the drop\'s queue settings',
    description: 'Only the settings sent change. Sale start and the per-buyer limit are the event\'s own and change there too.',
    params: eventId, body: { schema: dropSettingsSchema },
    answers: { 200: { description: 'The settings as changed.', schema: dropSettings } },
    errors: { 404: ['event_not_found'], 409: ['queue_off', 'paused', 'not_drawn', 'not_admitted_yet'], 410: ['sold_out', 'admission_lapsed'], ...busy },
  },
  {
    method: 'get', pattern: '/api/events/:id/queue/challenge', tag, auth: ['bearer'], roles: ['participant'], summary: 'A proof-of-work challenge (drops that ask for one)',
    params: eventId,
    answers: { 200: { description: 'Find a nonce giving `bits` leading zero bits, then join with it.', schema: z.object({ challenge: z.string(), issuedAt: z.number().int(), bits: z.number().int(), expiresAt: time }) } },
    errors: { 404: ['event_not_found'], 409: ['queue_off'] },
  },
  {
    method: 'post', pattern: '/api/events/:id/queue', tag, auth: ['bearer'], roles: ['participant'], summary: 'Join the drop\'s queue',
    description: 'Before sale start, a random place (drawn at sale start: `place` is null until then); after, the next place. One place per account: joining again answers it (200).',
    params: eventId, body: { schema: joinSchema },
    answers: {
      200: { description: 'My place, as before.', schema: joined },
      201: { description: 'My new place.', schema: joined },
    },
    errors: {
      403: ['waiting_room_closed', 'pow_required', 'pow_expired', 'pow_invalid', 'verification_required'], 404: ['event_not_found'], 409: ['queue_off', 'paused', 'not_drawn'],
      410: ['sold_out'], 429: ['too_many_joins'], ...busy,
    },
  },
  {
    method: 'get', pattern: '/api/events/:id/queue', tag, auth: ['none'], summary: 'The queue\'s status (what the WebSocket ticks carry)',
    params: eventId,
    answers: { 200: { description: 'The status.', schema: queueStatus } },
    errors: { 404: ['event_not_found'], 409: ['queue_off'], ...busy },
  },
  {
    method: 'get', pattern: '/api/events/:id/queue/proof', tag, auth: ['none'], summary: 'The lottery\'s proof (commitment, then seed and the list drawn)',
    params: eventId,
    answers: {
      200: {
        description: 'Anyone can recompute the order of the lottery from it.', schema: z.object({
          eventId: id, algorithm: z.string(), commitment: z.string().nullable(), seed: z.string().nullable(), drawnAt: time.nullable(),
          joinedQueueTicketIds: z.array(z.string()).nullable(), joinedListDigest: z.string().nullable(),
        }),
      },
    },
    errors: { 404: ['event_not_found', 'queue_off'] },
  },
  {
    method: 'post', pattern: '/api/events/:id/admission', tag, auth: ['bearer'], roles: ['participant'], summary: 'Trade my queue ticket for an admission token',
    description: 'When the head has reached my place. Send the token as the `Admission-Token` header of POST /api/events/:id/holds before it expires.',
    params: eventId, body: { schema: admissionSchema },
    answers: { 201: { description: 'The admission token.', schema: z.object({ admissionToken: z.string(), expiresAt: time, maxQuantity: z.number().int(), place: z.number().int() }) } },
    errors: {
      400: ['queue_ticket_malformed'], 403: ['queue_ticket_forged', 'queue_ticket_wrong_drop', 'queue_ticket_wrong_account', 'waiting_room_closed'],
      404: ['event_not_found'], 409: ['queue_off', 'not_admitted_yet', 'paused', 'not_drawn'], 410: ['admission_lapsed', 'sold_out'], ...busy,
    },
  },
];
