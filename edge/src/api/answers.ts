import { z } from 'zod';
import { orderStatuses } from '../../../engine/src/orders/states.ts';
import { paymentProviderNames } from '../../../engine/src/payments/provider.ts';
import { holdRequirements } from '../../../engine/src/queue/types.ts';
import { notifyChoices } from '../../../engine/src/sms/notify.ts';
import { roles } from '../auth/tokens.ts';

/**
 * The bodies the API answers with, as zod schemas: the OpenAPI document shows
 * them, and the tests' recorder (edge/src/api/recorder.ts) checks every answer
 * of the integration tests against them, unknown fields included. A view
 * function that gains a field must gain it here too, or those tests fail.
 */

export const id = z.guid().meta({ description: 'A UUID.' });
export const time = z.iso.datetime().meta({ description: 'ISO 8601, UTC.' });
export const minor = (what: string) => z.number().int().meta({ description: `${what}, in integer minor units of the currency (cents; TND has 3 digits).` });

export const account = z.object({
  id,
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  emailVerified: z.boolean(),
  phone: z.string().nullable().meta({ description: 'E.164 (e.g. +21620123456), or null.' }),
  country: z.string().nullable().meta({ description: 'ISO 3166 alpha-2: where national phone numbers are read; null reads them as Tunisian.' }),
  notify: z.enum(notifyChoices).meta({ description: 'How notices (tickets issued, reminders, refunds) reach the account.' }),
  locale: z.enum(['en', 'fr', 'ar']).nullable().meta({ description: 'The language of its emails and texts; null: the language of each request.' }),
}).meta({ id: 'Account' });

export const accountWithOptions = account.extend({
  smsAvailable: z.boolean().meta({ description: 'Whether this node can send SMS (false in production without SNS): offer the SMS choice only then.' }),
}).meta({ id: 'AccountWithOptions' });

export const poster = z.object({
  width: z.number().int(), height: z.number().int(), uploadedAt: time,
  renditions: z.array(z.object({
    url: z.string().meta({ description: 'GET it: /api/posters/<sha256>.<webp|jpg>, cached for a year.' }),
    type: z.enum(['image/webp', 'image/jpeg']), width: z.number().int(), height: z.number().int(),
  })).meta({ description: 'Narrowest first, for srcset.' }),
}).meta({ id: 'Poster' });

export const session = z.object({
  token: z.string().meta({ description: 'The bearer token (a JWT, HS256): send it as "Authorization: Bearer <token>".' }),
  account,
}).meta({ id: 'Session' });

export const ticketTypeView = z.object({
  id, name: z.string(), retired: z.boolean().meta({ description: 'No longer sold; its sales stay.' }), price: minor('The price of one ticket'), currency: z.string(), capacity: z.number().int(),
  sold: z.number().int().nullable(), held: z.number().int().nullable(), available: z.number().int().nullable(),
}).meta({ id: 'TicketType', description: 'sold, held and available are null when the live numbers could not be read.' });

export const event = z.object({
  id, name: z.string(), venue: z.string(), startsAt: time, endsAt: time.nullable(), saleStartsAt: time.nullable(), saleEndsAt: time.nullable(),
  currency: z.string().meta({ description: 'ISO 4217.' }),
  exponent: z.number().int().meta({ description: 'Minor-unit digits of the currency: format amounts with it.' }),
  perBuyerLimit: z.number().int(), holdTtlSeconds: z.number().int(),
  refundPolicy: z.enum(['none', 'until', 'always']), refundUntilDays: z.number().int().nullable(),
  platformFeeBps: z.number().int(), reminderHours: z.number().int().nullable(), organizerId: id,
  ticketTypes: z.array(ticketTypeView),
  poster: poster.nullable(),
  status: z.enum(['draft', 'published']).meta({ description: 'A draft is seen by its organizer only (404 to anyone else) and sells nothing.' }),
  publishedAt: time.nullable(),
  description: z.string().meta({ description: 'Plain text; line breaks are the organizer\'s. Never HTML.' }),
  address: z.string().meta({ description: 'Plain text, line breaks kept.' }),
  latitude: z.number().nullable(), longitude: z.number().nullable(),
  timeZone: z.string().meta({ description: 'IANA zone of the venue: show times in it, the zone named.' }),
  mapUrl: z.string().nullable().meta({ description: 'An https OpenStreetMap link from the coordinates, else the address; null with neither.' }),
  cancelledAt: time.nullable().meta({ description: 'When its organizer cancelled it: it sells nothing, its tickets are revoked and its paid orders refunded. null while it is on.' }),
}).meta({ id: 'Event' });

export const cancellation = z.object({
  eventId: id,
  cancelledAt: time,
  state: z.enum(['stopping', 'refunding', 'done']).meta({ description: 'stopping: sales being stopped and the paid orders listed; refunding: refunds under way; done: every listed order refunded.' }),
  orders: z.object({
    total: z.number().int().meta({ description: 'Paid orders the cancellation refunds (known once past stopping).' }),
    refunded: z.number().int(),
    manualWaiting: z.number().int().meta({ description: 'Konnect orders an operator must refund by hand (GET /api/ops/refunds/manual); not yet refunded.' }),
  }),
}).meta({ id: 'Cancellation' });

export const hold = z.object({
  holdId: z.string().meta({ description: 'Opaque; names its event.' }),
  eventId: id, typeId: id, quantity: z.number().int(), price: minor('The price of one ticket'), currency: z.string(),
  status: z.enum(['held', 'confirmed', 'released', 'expired']), expiresAt: time,
}).meta({ id: 'Hold' });

export const basket = z.object({
  basketId: z.string().meta({ description: 'The id of its first hold.' }),
  holds: z.array(hold).meta({ description: 'One hold per ticket type, in the order of the items.' }),
  amount: minor('All its tickets'), currency: z.string(), expiresAt: time,
}).meta({ id: 'Basket', description: 'Several ticket types of one event, held together: all of them or none.' });

export const orderLine = z.object({
  line: z.number().int().meta({ description: 'From 1, in the order the holds were checked out.' }),
  holdId: z.string(), typeId: id, typeName: z.string(), quantity: z.number().int(), unitPrice: minor('One ticket of this line, at its list price'),
  unitDiscount: minor('Taken off each ticket of this line by the promo code (0 without one, or when the code is for another type)'),
  amount: minor('quantity × (unitPrice − unitDiscount): what this line is charged'),
  holderNames: z.array(z.string()).nullable().meta({ description: 'Names given at checkout, one per ticket; null: none given (tickets carry the buyer\'s name).' }),
}).meta({ id: 'OrderLine' });

export const order = z.object({
  id, eventId: id,
  holdId: z.string().meta({ description: 'The first line\'s hold (a basket has one hold per line).' }),
  typeId: id.meta({ description: 'The first line\'s ticket type; `lines` lists them all.' }),
  quantity: z.number().int().meta({ description: 'Tickets of the first line; `lines` lists them all.' }),
  unitPrice: minor('One ticket of the first line, at its list price'), amount: minor('The whole order: what is charged, the sum of its lines'), currency: z.string(),
  unitDiscount: minor('Taken off each ticket of the first line by the promo code (0 without one)'), discount: minor('Taken off the whole order: Σ unitDiscount × quantity over the lines'),
  promoCode: z.string().nullable().meta({ description: 'The promo code applied, in capitals.' }),
  lines: z.array(orderLine).meta({ description: 'One per hold: one for a single-type order, one per ticket type for a basket.' }),
  status: z.enum(orderStatuses), provider: z.enum(paymentProviderNames), failure: z.string().nullable(),
  createdAt: time, paidAt: time.nullable(), ticketedAt: time.nullable(), refundedAt: time.nullable(),
  payment: z.object({
    id, status: z.enum(['created', 'succeeded', 'failed', 'refunded']), providerRef: z.string().nullable(),
    redirectUrl: z.string().nullable().meta({ description: 'Where the buyer pays; only the buyer sees it.' }),
    clientSecret: z.string().nullable().meta({ description: 'Stripe\'s client secret; only the buyer sees it.' }),
  }).nullable(),
}).meta({ id: 'Order' });

export const manualRefundState = z.object({
  state: z.enum(['manual_required', 'done']), requestedAt: time, doneAt: time.nullable(),
}).meta({ id: 'ManualRefundState', description: 'A refund a person makes from the provider\'s dashboard (Konnect has no refund API).' });

export const receipt = z.object({
  orderId: id, orderNumber: z.string().meta({ description: 'The short number a person reads out (first 8 hex digits of the id, upper case).' }), currency: z.string(),
  lines: z.array(z.object({ typeId: z.string(), typeName: z.string(), quantity: z.number().int(), unitPrice: minor('One ticket of the line'), amount: minor('The line') })),
  adjustments: z.array(z.object({ kind: z.enum(['fee', 'discount']), label: z.string(), amount: minor('Added to the total (a discount is negative)') })),
  total: minor('What the payment took: the lines plus the adjustments'), provider: z.enum(paymentProviderNames),
  date: time.meta({ description: 'When the money came in, else when the order was placed.' }), timeZone: z.string().meta({ description: 'The event\'s IANA zone, to show the date in.' }),
}).meta({ id: 'Receipt', description: 'What the buyer paid for, line by line (#15).' });

export const orderWithManualRefund = order.extend({ manualRefund: manualRefundState.nullable(), receipt: receipt.nullable().meta({ description: 'Null when the order\'s lines do not add up to its amount (then no receipt is shown rather than a wrong one).' }) }).meta({ id: 'OrderDetail' });

export const manualRefund = z.object({
  orderId: id, paymentId: id, provider: z.enum(paymentProviderNames), providerRef: z.string().nullable(), amount: minor('The amount to pay back'),
  currency: z.string(), reason: z.string(), refundUsedTickets: z.boolean(), state: z.enum(['manual_required', 'done']), requestedAt: time,
  doneAt: time.nullable(), doneBy: id.nullable(), reference: z.string().nullable(), note: z.string().nullable(),
}).meta({ id: 'ManualRefund' });

export const refundAnswer = order.extend({
  refund: z.object({ requestedBy: z.enum(['organizer', 'buyer']) }),
}).meta({ id: 'RefundAnswer' });

export const eventOrder = order.extend({
  buyer: z.object({ id, name: z.string(), email: z.string() }),
}).meta({ id: 'EventOrder' });

const payoutTotals = {
  gross: minor('Σ list price × quantity'), discounts: minor('Σ promo discount per ticket × quantity'),
  fees: minor('Σ fee per ticket (on the price paid) × tickets not refunded'), refunds: minor('Σ price paid × refunded quantity'),
  net: minor('gross − discounts − fees − refunds: what the organizer is owed'),
};
export const payout = z.object({
  eventId: id, exponent: z.number().int(), currency: z.string(), feeBps: z.number().int().meta({ description: 'The platform fee, in basis points (400 = 4 %).' }),
  lines: z.array(z.object({
    label: z.string().optional(), price: minor('One ticket, list price'), discountPerTicket: minor('Taken off each ticket by a promo code'),
    paidPrice: minor('What one ticket was paid: price − discountPerTicket'), quantity: z.number().int(), refundedQuantity: z.number().int(),
    feePerTicket: minor('The fee of one ticket, on its paid price (half up)'), ...payoutTotals,
  })),
  ...payoutTotals,
}).meta({ id: 'Payout' });

export const ownerTicket = z.object({
  id, typeId: id, typeName: z.string(), holderName: z.string().nullable(), status: z.enum(['valid', 'used', 'revoked']),
  version: z.number().int(), issuedAt: time.nullable(), usedAt: time.nullable(), usedGate: z.string().nullable(),
  secret: z.string().nullable().meta({ description: 'The TK1 ticket secret (what the QR code says); null until issued and once revoked. See the README, "Ticket secrets".' }),
  qr: z.object({ png: z.string().meta({ description: 'A data: URL.' }), svg: z.string() }).nullable(),
}).meta({ id: 'OwnerTicket' });

export const scannedTicket = z.object({ id, typeId: id, typeName: z.string(), holderName: z.string().nullable(), orderId: id.nullable() }).meta({ id: 'ScannedTicket' });

const scanRefusal = z.enum(['forged', 'wrong_event', 'revoked', 'wrong_list']);
export const checkinAnswer = z.union([
  z.object({ outcome: z.literal('valid'), ticket: scannedTicket, usedAt: time, gate: z.string(), list: z.object({ id, name: z.string() }) }),
  z.object({ outcome: z.literal('already_used'), ticket: scannedTicket, usedAt: time.nullable(), gate: z.string().nullable(), device: z.string().nullable(), detail: z.string() }),
  z.object({ outcome: scanRefusal, ticket: scannedTicket.nullable(), detail: z.string() }),
]).meta({ id: 'CheckinAnswer', description: '`valid`: admit (this scan used the ticket). Anything else: do not admit; `detail` says why.' });

export const syncAnswer = z.object({
  list: z.object({ id, name: z.string() }),
  admitted: z.number().int(), duplicates: z.number().int(), conflicts: z.number().int(), refused: z.number().int(),
  results: z.array(z.object({
    index: z.number().int().meta({ description: 'The scan\'s index in the request.' }),
    outcome: z.union([z.enum(['admitted', 'duplicate', 'conflict']), scanRefusal]),
    ticketId: id.nullable(), holderName: z.string().nullable(), detail: z.string().optional(),
    conflict: z.object({
      firstAt: time.nullable(), firstGate: z.string().nullable(), firstDevice: z.string().nullable(),
      secondAt: time, secondGate: z.string(), secondDevice: z.string(),
    }).optional(),
  })),
}).meta({ id: 'SyncAnswer' });

export const checkinList = z.object({ id, eventId: id, name: z.string(), typeIds: z.array(id).meta({ description: 'Empty: every type.' }) }).meta({ id: 'CheckinList' });

export const staffEntry = z.object({
  id: id.meta({ description: 'The invite\'s id (or, for staff assigned before invites, the account\'s): DELETE /staff/:staffId takes it.' }),
  email: z.string(), name: z.string().nullable(), status: z.enum(['invited', 'active']),
  accountId: id.nullable().meta({ description: 'Null while invited.' }), invitedAt: time,
}).meta({ id: 'StaffEntry' });

export const queueStatus = z.object({
  eventId: id, state: z.enum(['closed', 'waiting', 'open', 'all_held', 'paused', 'sold_out']),
  head: z.number().int().meta({ description: 'Every place at or below it is admitted.' }),
  placed: z.number().int(), joined: z.number().int(), drawn: z.boolean(), stockLeft: z.number().int(),
  msPerPlace: z.number().nullable(), ratePerMinute: z.number(), headMovedAt: time.nullable(),
  saleStartsAt: time.nullable(), waitingRoomOpensAt: time.nullable(), at: time,
}).meta({ id: 'QueueStatus' });

export const dropSettings = z.object({
  queueEnabled: z.boolean(), waitingRoomOpensAt: time.nullable(), saleStartsAt: time.nullable(),
  admissionRatePerMinute: z.union([z.number().int(), z.literal('auto')]), admissionTokenTtlSeconds: z.number().int(),
  perBuyerLimit: z.number().int(), powBits: z.number().int(), paused: z.boolean(), holdRequires: z.enum(holdRequirements),
  holdsPerAddressMax: z.number().int().nullable(),
}).meta({ id: 'DropSettings' });

export const engineStatus = z.object({
  nodeId: z.string(), shardsOwned: z.number().int(), shardsTotal: z.number().int(),
  workers: z.array(z.object({ index: z.number().int(), alive: z.boolean(), shards: z.number().int(), mailboxDepth: z.number().int() })),
  ready: z.boolean(),
});

export const accountExport = z.object({
  exportedAt: time,
  account: account.extend({ createdAt: time, updatedAt: time, emailVerifiedAt: time.nullable() }),
  orders: z.array(z.object({
    id, eventId: id, eventName: z.string(), eventStartsAt: time, holdId: z.string(), status: z.string(), provider: z.string(), locale: z.string(),
    items: z.array(z.object({ typeId: id, typeName: z.string(), quantity: z.number().int(), unitPrice: minor('One ticket') })),
    amount: minor('The order'), currency: z.string(), createdAt: time, paidAt: time.nullable(), ticketedAt: time.nullable(), refundedAt: time.nullable(),
  })),
  tickets: z.array(z.object({
    id, orderHoldId: z.string(), eventId: id, eventName: z.string(), typeId: id, typeName: z.string(), holderName: z.string().nullable(),
    price: minor('The ticket'), currency: z.string(), status: z.string(), issuedAt: time, checkedInAt: time.nullable(), revokedAt: time.nullable(),
  })),
  holds: z.array(z.object({ holdId: z.string(), orderId: id, ticketedHoldId: z.string().nullable(), lateHoldId: z.string().nullable() })),
}).meta({ id: 'AccountExport', description: 'Everything Tickr keeps about the account, without secrets (no password hash, no ticket secrets, no payment references).' });
