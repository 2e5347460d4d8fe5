import { z } from 'zod';
import { calendarQuerySchema, checkoutSchema, clictopayReturnQuerySchema, holderSchema, konnectReturnQuerySchema, konnectWebhookQuerySchema, payoutQuerySchema, refundSchema, salesQuerySchema, simulatedPaymentSchema } from '../../validation.ts';
import { eventOrder, id, order, orderWithManualRefund, ownerTicket, payout, refundAnswer, time } from '../answers.ts';
import type { RouteDoc } from '../describe.ts';

const anyone = ['participant', 'organizer', 'staff', 'operator', 'admin'] as const;
const eventId = { id: 'The event id.' };
const orderId = { id: 'The order id.' };
const session = { session: 'The simulated payment session (`sim_` and 32 hex digits), from the order\'s payment.providerRef.' };
const simulatedNote = 'Development only: not mounted with NODE_ENV=production (404).';
const paymentResult = z.enum(['applied', 'duplicate', 'unknown_payment', 'no_change', 'ignored']);

export const orderRoutes: RouteDoc[] = [
  {
    method: 'post', pattern: '/api/holds/:id/checkout', tag: 'Orders', auth: ['bearer'], roles: ['participant'], summary: 'Check out a hold or a basket',
    description: 'Turns my hold into a pending order and a payment with the chosen provider; pay at `payment.redirectUrl` (or with Stripe\'s client secret). '
      + 'A basket: send `basket` with every hold id of the basket (the one in the path included): one order with one line per hold, one payment for the sum; '
      + 'every hold must still be held. `holders` names the ticket holders per hold id (one name per ticket at most; the rest carry my name), shown on the passes and at the door. '
      + 'Checking out the same hold again answers the same order (200). With `promoCode` (case-insensitive) each ticket is charged its discounted price '
      + '(a code for one ticket type discounts that type\'s lines only; a use of the code is claimed; see the README, "Promo codes"); '
      + 'a code sent again for an order checked out without it, or with another, is refused (409 `already_checked_out`).',
    params: { id: 'The hold id.' }, body: { schema: checkoutSchema },
    answers: { 200: { description: 'The order made earlier for this hold.', schema: order }, 201: { description: 'The new order.', schema: order } },
    errors: {
      404: ['hold_not_found'], 409: ['sold_out', 'limit_reached', 'promo_used_up', 'already_checked_out', 'hold_in_another_order'], 410: ['hold_expired'],
      422: ['provider_unavailable', 'basket_mixed_events', 'too_many_holder_names', 'promo_invalid', 'promo_not_started', 'promo_expired', 'promo_not_for_type'],
      502: ['provider_error'], 503: ['busy', 'shard_unavailable'],
    },
  },
  {
    method: 'get', pattern: '/api/orders', tag: 'Orders', auth: ['bearer'], roles: anyone, summary: 'My orders',
    answers: { 200: { description: 'My orders, newest first.', schema: z.object({ orders: z.array(order) }) } },
  },
  {
    method: 'get', pattern: '/api/orders/:id', tag: 'Orders', auth: ['bearer'], roles: anyone, summary: 'One order (its buyer, or the event\'s organizer)',
    description: 'Anyone else gets 404, as for a missing order. Only the buyer sees the payment\'s redirect URL and client secret.', params: orderId,
    answers: { 200: { description: 'The order, with its manual refund when a person must make one.', schema: orderWithManualRefund } },
    errors: { 404: ['order_not_found'] },
  },
  {
    method: 'get', pattern: '/api/orders/:id/calendar', tag: 'Orders', auth: ['bearer', 'none'], roles: anyone, summary: 'My order\'s event as a calendar file (.ics)',
    description: 'RFC 5545, one VEVENT: UID per order, DTSTAMP, DTSTART/DTEND in UTC (an event with no end lasts 2 hours), LOCATION from the venue and address, '
      + 'CRLF line ends, lines folded at 75 octets. For the buyer: signed in, or with `token` from the confirmation email\'s link (an HMAC of the order id; '
      + 'it opens this file only). A wrong token, a missing order and someone else\'s order answer alike (404). Only a paid order has one (409 `order_not_paid`).',
    params: orderId, query: calendarQuerySchema,
    answers: { 200: { description: 'The calendar file.', text: 'text/calendar; charset=utf-8', headers: { 'content-disposition': 'attachment; filename="tickr-<order number>.ics"' } } },
    errors: { 401: ['unauthenticated'], 404: ['order_not_found'], 409: ['order_not_paid'] },
  },
  {
    method: 'post', pattern: '/api/orders/:id/refund', tag: 'Refunds', auth: ['bearer'], roles: ['participant', 'organizer'], summary: 'Refund an order',
    description: 'The event\'s organizer may refund any paid order; its buyer within the event\'s refund policy. An order with a ticket used at the door is refused (409 `ticket_used`) '
      + 'unless the organizer sends `{ "refundUsedTickets": true }`. The body is optional. The refund job does the work (provider, stock, tickets revoked, email); '
      + 'the order turns `refunded` when it is done.',
    params: orderId, body: { schema: refundSchema, kind: 'optional', description: 'Optional; most refunds send none.' },
    answers: {
      200: { description: 'Refunded already (asking again is safe).', schema: refundAnswer },
      202: { description: 'Accepted: the refund job runs it.', schema: refundAnswer },
    },
    errors: {
      400: ['malformed_json', 'invalid_body', 'unknown_field', 'control_characters'], 403: ['refund_not_allowed', 'override_not_allowed'],
      404: ['order_not_found'], 409: ['not_refundable', 'ticket_used'],
    },
  },
  {
    method: 'get', pattern: '/api/events/:id/orders', tag: 'Orders', auth: ['bearer'], roles: ['organizer'], summary: 'An event\'s orders (its organizer)',
    params: eventId,
    answers: { 200: { description: 'The orders with their buyers.', schema: z.object({ orders: z.array(eventOrder) }) } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/payout', tag: 'Payouts', auth: ['bearer'], roles: ['organizer'], summary: 'What the organizer is owed',
    description: 'Per ticket type, price and promo discount: gross (list prices), discounts, the platform fee (per ticket, on the price paid, half up, at the event\'s rate; none on refunded tickets), refunds, net. '
      + 'JSON, or CSV with `format=csv` or `Accept: text/csv`.',
    params: eventId, query: payoutQuerySchema,
    headers: z.object({ accept: z.string().optional().meta({ description: '`text/csv` for the CSV (when `format` is not sent).' }) }),
    answers: { 200: { description: 'The payout report (JSON, or CSV as asked).', schema: payout, text: 'text/csv; charset=utf-8', headers: { 'content-disposition': 'CSV only: attachment; filename="payout-<event id>.csv"' } } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/events/:id/sales', tag: 'Payouts', auth: ['bearer'], roles: ['organizer'], summary: 'Sales over time (its organizer)',
    description: 'Tickets and revenue per bucket, by when the order was paid; refunded orders count where they were sold. At most 500 buckets, the latest.',
    params: eventId, query: salesQuerySchema,
    answers: { 200: { description: 'The points.', schema: z.object({ eventId: id, bucket: z.enum(['minute', 'hour', 'day']), points: z.array(z.object({ at: time, tickets: z.number().int(), revenue: z.number().int() })) }) } },
    errors: { 404: ['event_not_found'] },
  },
  {
    method: 'get', pattern: '/api/payments/simulated/:session', tag: 'Payments', auth: ['bearer'], roles: ['participant'], summary: 'The simulated pay page\'s payment',
    description: simulatedNote, params: session, mountedWhen: 'not NODE_ENV=production',
    answers: { 200: { description: 'What the pay page shows.', schema: z.object({ session: z.string(), orderId: id, amount: z.number().int(), currency: z.string(), status: order.shape.payment.unwrap().shape.status, orderStatus: order.shape.status }) } },
    errors: { 404: ['payment_not_found'] },
  },
  {
    method: 'post', pattern: '/api/payments/simulated/:session', tag: 'Payments', auth: ['bearer'], roles: ['participant'], summary: 'Pay or decline on the simulated pay page',
    description: `${simulatedNote} Goes through the same confirmation path as a provider's webhook; paying twice confirms once.`, params: session, mountedWhen: 'not NODE_ENV=production',
    body: { schema: simulatedPaymentSchema },
    answers: { 200: { description: 'What happened.', schema: z.object({ session: z.string(), orderId: id, status: order.shape.payment.unwrap().shape.status, result: paymentResult }) } },
    errors: { 404: ['payment_not_found'] },
  },
  {
    method: 'post', pattern: '/api/webhooks/stripe', tag: 'Payments', auth: ['stripeSignature'], summary: 'Stripe webhook',
    description: 'Verified on the raw body with the `Stripe-Signature` header and STRIPE_WEBHOOK_SECRET; deduplicated by Stripe event id. '
      + 'An unknown PaymentIntent is answered 200 (or Stripe would retry for days).',
    headers: z.object({ 'stripe-signature': z.string().meta({ description: 'As Stripe computes it: `t=<unix time>,v1=<HMAC-SHA256 hex of "<t>.<raw body>">`.' }) }),
    body: { schema: z.object({ id: z.string(), type: z.string(), data: z.object({ object: z.unknown() }) }).meta({ description: 'A Stripe event, as Stripe sends it.' }), kind: 'raw' },
    answers: { 200: { description: 'Received.', schema: z.object({ received: z.literal(true), result: paymentResult }) } },
    errors: { 400: ['invalid_signature'], 404: ['provider_unavailable'] },
  },
  {
    method: 'get', pattern: '/api/payments/clictopay/return', tag: 'Payments', auth: ['none'], summary: 'Where Clictopay sends the buyer back',
    description: 'Asks the gateway for the payment\'s state (the redirect itself is never trusted), then redirects to the order page of the storefront.',
    query: clictopayReturnQuerySchema,
    answers: { 303: { description: 'To the storefront\'s order page.', headers: { location: '<TICKR_PUBLIC_URL>/orders/<order id>' } } },
    errors: { 404: ['payment_not_found', 'provider_unavailable'] },
  },
  {
    method: 'get', pattern: '/api/payments/konnect/webhook', tag: 'Payments', auth: ['none'], summary: 'Konnect\'s payment notice (e-Dinar)',
    description: 'It only names the payment: the state is asked of Konnect\'s API, never taken from the call. 200 even when Konnect could not be asked (the polling job asks again).',
    query: konnectWebhookQuerySchema,
    answers: { 200: { description: 'Received.', schema: z.object({ received: z.literal(true), state: z.string() }) } },
    errors: { 404: ['payment_not_found'] },
  },
  {
    method: 'get', pattern: '/api/payments/konnect/return', tag: 'Payments', auth: ['none'], summary: 'Where Konnect sends the buyer back',
    description: 'Asks Konnect for the payment\'s state (the redirect itself is never trusted), then redirects to the order page of the storefront.',
    query: konnectReturnQuerySchema,
    answers: { 303: { description: 'To the storefront\'s order page.', headers: { location: '<TICKR_PUBLIC_URL>/orders/<order id>' } } },
    errors: { 404: ['payment_not_found'] },
  },
  {
    method: 'get', pattern: '/api/orders/:id/tickets', tag: 'Tickets', auth: ['bearer'], roles: anyone, summary: 'My order\'s tickets, with secrets and QR codes',
    params: orderId,
    answers: { 200: { description: 'The tickets (secrets once issued).', schema: z.object({ orderId: id, eventId: id, status: order.shape.status, tickets: z.array(ownerTicket) }) } },
    errors: { 404: ['order_not_found'] },
  },
  {
    method: 'put', pattern: '/api/tickets/:id/holder', tag: 'Tickets', auth: ['bearer'], roles: ['participant'], summary: 'Name the holder of my ticket',
    description: 'The name is shown on the pass and to door staff (scanner answer, lookup by name). The signed secret does not change. Allowed while the ticket is valid, until the event starts.',
    params: { id: 'The ticket id.' }, body: { schema: holderSchema },
    answers: { 200: { description: 'The ticket with its holder.', schema: ownerTicket } },
    errors: { 404: ['ticket_not_found'], 409: ['ticket_revoked', 'ticket_used', 'event_started'] },
  },
  {
    method: 'post', pattern: '/api/tickets/:id/reissue', tag: 'Tickets', auth: ['bearer'], roles: anyone, summary: 'Reissue my ticket (a new secret; the old one is revoked)',
    params: { id: 'The ticket id.' },
    answers: { 200: { description: 'The ticket with its new secret.', schema: ownerTicket } },
    errors: { 404: ['ticket_not_found'], 409: ['ticket_not_issued', 'ticket_revoked', 'ticket_used', 'reissue_limit'] },
  },
];
