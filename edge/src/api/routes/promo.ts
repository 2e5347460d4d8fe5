import { z } from 'zod';
import { createPromoCodeSchema, promoQuoteQuerySchema } from '../../validation.ts';
import { id, minor, time } from '../answers.ts';
import type { RouteDoc } from '../describe.ts';

const eventId = { id: 'The event id.' };

export const promoCode = z.object({
  id, eventId: id, code: z.string().meta({ description: 'In capitals; codes are case-insensitive and unique per event.' }),
  percentOff: z.number().int().nullable().meta({ description: 'A whole percent off each ticket (half up per ticket), or null.' }),
  amountOff: minor('Off each ticket, at most its price').nullable(),
  typeId: id.nullable().meta({ description: 'The ticket type it is for; null: every type.' }),
  maxUses: z.number().int().nullable().meta({ description: 'The cap on uses; null: none.' }),
  uses: z.number().int().meta({ description: 'Uses that count against the cap now (orders paid, or pending with their hold alive).' }),
  startsAt: time.nullable(), endsAt: time.nullable(), disabledAt: time.nullable(), createdAt: time,
}).meta({ id: 'PromoCode' });

export const promoRoutes: RouteDoc[] = [
  {
    method: 'get', pattern: '/api/events/:id/promo-codes', tag: 'Promo codes', auth: ['bearer'], roles: ['organizer'], summary: 'My event\'s promo codes',
    description: 'Another organizer\'s event answers 404, as a missing one.', params: eventId,
    answers: { 200: { description: 'The codes, oldest first, disabled ones included.', schema: z.object({ codes: z.array(promoCode) }) } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'post', pattern: '/api/events/:id/promo-codes', tag: 'Promo codes', auth: ['bearer'], roles: ['organizer'], summary: 'Create a promo code for my event',
    description: 'Exactly one of `percentOff` or `amountOff`. The discount is taken off each ticket at checkout (see the README, "Promo codes", for the rounding rule).',
    params: eventId, body: { schema: createPromoCodeSchema },
    answers: { 201: { description: 'The new code.', schema: promoCode } },
    errors: { 404: ['event_not_found'], 409: ['promo_code_taken', 'too_many_promo_codes'], 422: ['unknown_ticket_type'] },
  },
  {
    method: 'post', pattern: '/api/events/:id/promo-codes/:code/disable', tag: 'Promo codes', auth: ['bearer'], roles: ['organizer'], summary: 'Disable a promo code',
    description: 'For good: checkouts refuse it from now on (422 `promo_invalid`); orders that used it keep their price. Disabling twice answers the code as it is.',
    params: { ...eventId, code: 'The code, in any case.' },
    answers: { 200: { description: 'The code, disabled.', schema: promoCode } },
    errors: { 404: ['event_not_found', 'promo_code_not_found'] },
  },
  {
    method: 'get', pattern: '/api/holds/:id/promo', tag: 'Promo codes', auth: ['bearer'], roles: ['participant'], summary: 'What my hold costs with a promo code',
    description: 'A quote: nothing is claimed. The checkout with the same code claims a use and may still refuse it (`promo_used_up` in between).',
    params: { id: 'The hold id.' }, query: promoQuoteQuerySchema,
    answers: {
      200: {
        description: 'The price with the code.',
        schema: z.object({
          code: z.string(), currency: z.string(), quantity: z.number().int(), unitPrice: minor('One ticket, list price'),
          unitDiscount: minor('Off each ticket'), discount: minor('Off the hold'), amount: minor('What the checkout will charge'),
        }),
      },
    },
    errors: { 404: ['hold_not_found'], 409: ['promo_used_up'], 410: ['hold_expired'], 422: ['promo_invalid', 'promo_not_started', 'promo_expired', 'promo_not_for_type'], 503: ['busy', 'shard_unavailable'] },
  },
];
