import { z } from 'zod';
import {
  capacityMax,
  eventAddressCharsMax,
  eventDescriptionCharsMax,
  eventYearMax,
  eventYearMin,
  holdQuantityMax,
  holdTtlMsDefault,
  holdTtlMsMax,
  holdTtlMsMin,
  perBuyerLimitMax,
  priceMinorMax,
  promoUsesMax,
  ticketTypesPerEventMax,
} from '../../engine/src/constants.ts';
import { notifyChoices } from '../../engine/src/sms/notify.ts';
import { isPhoneRegion } from '../../engine/src/sms/phone.ts';
import { isSupportedCurrency, minorUnitExponent, supportedCurrencies } from '../../engine/src/money/currency_table.ts';
import { HttpError } from './http/errors.ts';
import { refuseControlCharacters } from './control_characters.ts';
import { placeProblem, refundPolicyProblem, windowProblem } from '../../engine/src/events/rules.ts';

export { pathParamProblem, refuseControlCharacters, refuseControlCharactersInQuery } from './control_characters.ts';

/**
 * Request schemas, checked once at the edge. Every message names the field
 * and says what a valid value looks like, so a caller can fix the request
 * from the message alone. Objects are strict: an unknown field is refused
 * (a typo like `quantiy` must not silently mean "use the default").
 */

/** An organizer who says nothing gets this per-buyer limit: enough for a group, small enough to stop hoarding. */
export const perBuyerLimitDefault = 10;
/** Lists answer at most this many events. */
export const eventsListMax = 200;
export const idempotencyKeyCharsMax = 200;

type IssueLike = { input?: unknown };

/** An error function: "x is required (...)" when missing, "x must be ..." otherwise. */
function says(name: string, rule: string) {
  return (issue: IssueLike) => (issue.input === undefined ? `${name} is required: ${rule}` : `${name} must be ${rule}`);
}

function int(name: string, min: number, max: number) {
  const error = says(name, `an integer from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function text(name: string, min: number, max: number) {
  const rule = min === 0 ? `a string of at most ${max} characters` : `a string of ${min} to ${max} characters`;
  const error = says(name, rule);
  return z.string({ error }).trim().min(min, { error }).max(max, { error });
}

/** An event's date: ISO 8601, in the years from eventYearMin to eventYearMax (UTC). */
function dateTime(name: string) {
  const error = says(name, 'an ISO 8601 date-time, e.g. 2027-07-10T20:00:00Z');
  const range = `${name} must be in the years ${eventYearMin} to ${eventYearMax}; check the year`;
  return z.iso.datetime({ offset: true, error }).transform((s) => new Date(s))
    .refine((d) => d.getUTCFullYear() >= eventYearMin && d.getUTCFullYear() <= eventYearMax, { error: range });
}

function uuid(name: string) {
  return z.uuid({ error: says(name, 'a UUID, e.g. 0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a') });
}

const email = z.email({ error: says('email', 'an email address, e.g. ada@example.com') })
  .max(254, { error: 'email must be at most 254 characters' })
  .transform((s) => s.toLowerCase());

const currency = z.string({ error: says('currency', 'an ISO 4217 code of 3 uppercase letters, e.g. EUR or TND') })
  .regex(/^[A-Z]{3}$/, { error: 'currency must be an ISO 4217 code of 3 uppercase letters, e.g. EUR or TND' });

// ---- accounts ------------------------------------------------------------

/** An account's phone and notice choice (edge/src/routes/account_contact.ts checks and normalises them): sign-up and PATCH /api/account. */
export const contactFields = {
  phone: z.union([
    z.string({ error: 'phone must be a string: a mobile number such as "20 123 456" or "+216 20 123 456", or null to remove it' })
      .max(40, { error: 'phone must be at most 40 characters: a mobile number such as "+216 20 123 456"' }),
    z.null(),
  ], { error: 'phone must be a mobile number such as "20 123 456" or "+216 20 123 456", or null to remove it' }).optional(),
  country: z.union([
    z.string().transform((s) => s.toUpperCase()).refine(isPhoneRegion, { error: 'country must be a two-letter country code (ISO 3166-1), e.g. TN, FR or DZ' }),
    z.null(),
  ], { error: 'country must be a two-letter country code (ISO 3166-1), e.g. TN, FR or DZ, or null' }).optional(),
  notify: z.enum(notifyChoices, { error: `notify must be one of ${notifyChoices.join(', ')}: how you get your tickets and notices` }).optional(),
};

export const signupSchema = z.strictObject({
  email,
  password: z.string({ error: says('password', 'a string of 10 to 200 characters') })
    .min(10, { error: 'password must be at least 10 characters long' })
    .max(200, { error: 'password must be at most 200 characters long' }),
  name: text('name', 1, 100),
  // Any string passes here; `signupRole` answers 422 for roles one cannot sign up for.
  role: z.string({ error: says('role', '"participant" or "organizer"') }),
  // Optional at sign-up.
  ...contactFields,
});
export type SignupInput = z.infer<typeof signupSchema>;

/** Staff are invited by an organizer and the operator is configured: neither signs up. */
export function signupRole(role: string): 'participant' | 'organizer' {
  if (role === 'participant' || role === 'organizer') return role;
  throw new HttpError(422, 'role_not_allowed', `role must be "participant" or "organizer"; staff are invited by an organizer and the operator is configured, got "${role.slice(0, 40)}"`);
}

export const signinSchema = z.strictObject({
  email: z.string({ error: says('email', 'the email address you signed up with') }).min(1).max(254).transform((s) => s.toLowerCase()),
  password: z.string({ error: says('password', 'your password') }).min(1, { error: 'password is required' }).max(200),
});

// ---- events --------------------------------------------------------------

const ticketTypeSchema = z.strictObject({
  name: text('name', 1, 100),
  price: int('price (minor units, e.g. cents)', 0, priceMinorMax),
  capacity: int('capacity', 0, capacityMax),
});

/** Multi-line plain text: CRLF and CR become LF, trailing space trimmed; control characters other than breaks and tabs are refused before (control_characters.ts). */
function plainText(name: string, max: number) {
  const error = says(name, `plain text of at most ${max} characters (line breaks kept, never HTML)`);
  return z.string({ error }).transform((s) => s.replace(/\r\n?/g, '\n').trim()).pipe(z.string().max(max, { error }));
}

/** An IANA time zone this Node knows (Intl), e.g. Africa/Tunis or Europe/Paris; 'UTC' too. */
export function isTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Its canonical spelling (Intl answers `europe/paris` as Europe/Paris). */
function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
}

const timeZone = z.string({ error: says('timeZone', 'an IANA time zone, e.g. Africa/Tunis, Europe/Paris or UTC') })
  .refine(isTimeZone, { error: (issue) => `timeZone must be an IANA time zone, e.g. Africa/Tunis, Europe/Paris or UTC; "${String(issue.input).slice(0, 64)}" is not one` })
  .transform(canonicalZone);

/** Where an event's times are shown when its organizer names no zone. */
export function defaultTimeZone(currency: string): string {
  return currency === 'TND' ? 'Africa/Tunis' : 'UTC';
}

const latitude = z.number({ error: says('latitude', 'a number from -90 to 90 (degrees, WGS 84)') }).min(-90, { error: 'latitude must be from -90 to 90' }).max(90, { error: 'latitude must be from -90 to 90' });
const longitude = z.number({ error: says('longitude', 'a number from -180 to 180 (degrees, WGS 84)') }).min(-180, { error: 'longitude must be from -180 to 180' }).max(180, { error: 'longitude must be from -180 to 180' });
const eventStatus = z.enum(['draft', 'published'], { error: says('status', '"draft" (only you see it until you publish) or "published"') });

const holdTtl = int('holdTtlSeconds', holdTtlMsMin / 1000, holdTtlMsMax / 1000);

/** Refunds: 'none' (only the organizer refunds), 'until' (buyers until refundUntilDays before the start), 'always'. */
const refundPolicy = z.enum(['none', 'until', 'always'], { error: says('refundPolicy', '"none", "until" or "always"') });
const refundUntilDays = int('refundUntilDays', 0, 365);
/** Hours before the start that ticket holders get a reminder; null for none. */
const reminderHours = int('reminderHours', 1, 720);

export const createEventSchema = z.strictObject({
  name: text('name', 1, 200),
  venue: text('venue', 0, 200).default(''),
  startsAt: dateTime('startsAt'),
  endsAt: dateTime('endsAt').nullable().default(null),
  saleStartsAt: dateTime('saleStartsAt').nullable().default(null),
  saleEndsAt: dateTime('saleEndsAt').nullable().default(null),
  currency,
  perBuyerLimit: int('perBuyerLimit', 1, perBuyerLimitMax).default(perBuyerLimitDefault),
  holdTtlSeconds: holdTtl.default(holdTtlMsDefault / 1000),
  refundPolicy: refundPolicy.default('none'),
  refundUntilDays: refundUntilDays.nullable().default(null),
  reminderHours: reminderHours.nullable().default(24),
  ticketTypes: z.array(ticketTypeSchema, { error: says('ticketTypes', `a list of 1 to ${ticketTypesPerEventMax} ticket types`) })
    .min(1, { error: 'ticketTypes must list at least one ticket type, e.g. [{ "name": "General", "price": 2500, "capacity": 100 }]' })
    .max(ticketTypesPerEventMax, { error: `ticketTypes must list at most ${ticketTypesPerEventMax} ticket types` }),
  // 'published' when absent: API clients from before drafts keep getting a public event. The storefront sends 'draft'.
  status: eventStatus.default('published'),
  description: plainText('description', eventDescriptionCharsMax).default(''),
  address: plainText('address', eventAddressCharsMax).default(''),
  latitude: latitude.nullable().default(null),
  longitude: longitude.nullable().default(null),
  // Absent: defaultTimeZone(currency), filled by the route.
  timeZone: timeZone.optional(),
}).superRefine((e, ctx) => {
  const problem = windowProblem(e) ?? refundPolicyProblem(e) ?? placeProblem(e);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
});
export type CreateEventInput = z.infer<typeof createEventSchema>;

/** A well-formed currency we do not know the minor units of cannot be priced: 422. */
export function requireKnownCurrency(code: string): number {
  if (!isSupportedCurrency(code)) {
    throw new HttpError(422, 'unknown_currency', `currency "${code}" is not one we sell in; use one of ${supportedCurrencies.join(', ')}`);
  }
  return minorUnitExponent(code);
}

export const patchEventSchema = z.strictObject({
  name: text('name', 1, 200).optional(),
  venue: text('venue', 0, 200).optional(),
  startsAt: dateTime('startsAt').optional(),
  endsAt: dateTime('endsAt').nullable().optional(),
  description: plainText('description', eventDescriptionCharsMax).optional(),
  address: plainText('address', eventAddressCharsMax).optional(),
  latitude: latitude.nullable().optional(),
  longitude: longitude.nullable().optional(),
  timeZone: timeZone.optional(),
  perBuyerLimit: int('perBuyerLimit', 1, perBuyerLimitMax).optional(),
  holdTtlSeconds: holdTtl.optional(),
  saleStartsAt: dateTime('saleStartsAt').nullable().optional(),
  saleEndsAt: dateTime('saleEndsAt').nullable().optional(),
  refundPolicy: refundPolicy.optional(),
  refundUntilDays: refundUntilDays.nullable().optional(),
  reminderHours: reminderHours.nullable().optional(),
  ticketTypes: z.array(z.strictObject({
    id: uuid('id'),
    name: text('name', 1, 100).optional(),
    price: int('price (minor units, e.g. cents)', 0, priceMinorMax).optional(),
    capacity: int('capacity', 0, capacityMax).optional(),
    // true: no longer sold, its sales kept; false: on sale again.
    retired: z.boolean({ error: says('retired', 'true (stop selling this type, keep its sales) or false (sell it again)') }).optional(),
  }), { error: says('ticketTypes', 'a list of { id, name?, price?, capacity?, retired? }') }).max(ticketTypesPerEventMax).optional(),
  newTicketTypes: z.array(ticketTypeSchema, { error: says('newTicketTypes', 'a list of { name, price, capacity } to add') })
    .max(ticketTypesPerEventMax, { error: `newTicketTypes must list at most ${ticketTypesPerEventMax} ticket types` }).optional(),
}).superRefine((p, ctx) => {
  if (Object.keys(p).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'send at least one field to change, e.g. { "name": "New name" }' });
  const ids = new Set<string>();
  for (const [i, t] of (p.ticketTypes ?? []).entries()) {
    if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['ticketTypes', i, 'id'], message: 'id must appear once; merge the changes of one ticket type' });
    ids.add(t.id);
  }
});
export type PatchEventInput = z.infer<typeof patchEventSchema>;

// ---- holds ---------------------------------------------------------------

export const placeHoldSchema = z.strictObject({
  typeId: uuid('typeId'),
  quantity: int('quantity', 1, holdQuantityMax),
});
export type PlaceHoldInput = z.infer<typeof placeHoldSchema>;

/** A basket: several ticket types of one event held together, each type once (one hold per type). */
export const placeBasketSchema = z.strictObject({
  items: z.array(placeHoldSchema, { error: says('items', `a list of 1 to ${ticketTypesPerEventMax} { typeId, quantity }`) })
    .min(1, { error: 'items must list at least one { typeId, quantity }' })
    .max(ticketTypesPerEventMax, { error: `items must list at most ${ticketTypesPerEventMax} ticket types` })
    .refine((items) => new Set(items.map((i) => i.typeId.toLowerCase())).size === items.length, {
      error: 'items must list each ticket type once; add up its quantities instead',
    }),
});
export type PlaceBasketInput = z.infer<typeof placeBasketSchema>;

/** A ticket holder's name: shown on the pass and at the door. */
export const holderNameCharsMax = 100;
const holderName = text('holder name', 1, holderNameCharsMax);

/** PUT /api/tickets/:id/holder. */
export const holderSchema = z.strictObject({ name: holderName });

// ---- orders and payments ------------------------------------------------

/** A promo code as typed: letters, digits, - and _, compared in capitals (engine/src/orders/promo_codes_db.ts). */
function promoCode(name: string) {
  const error = says(name, 'a promo code: 3 to 32 letters, digits, - or _ (case does not matter)');
  return z.string({ error }).trim().regex(/^[A-Za-z0-9_-]{3,32}$/, { error }).transform((c) => c.toUpperCase());
}

export const checkoutSchema = z.strictObject({
  /** Every hold of a basket, the one in the path included; absent for a single hold. */
  basket: z.array(z.string({ error: says('basket', 'a list of hold ids') }).max(100), { error: says('basket', `a list of 2 to ${ticketTypesPerEventMax} hold ids`) })
    .min(1).max(ticketTypesPerEventMax, { error: `basket must list at most ${ticketTypesPerEventMax} hold ids` })
    .refine((ids) => new Set(ids).size === ids.length, { error: 'basket must list each hold once' })
    .optional(),
  /** Names of the ticket holders, per hold id: one per ticket, in any order; tickets without one carry the buyer's name. */
  holders: z.record(z.string().max(100), z.array(holderName).max(holdQuantityMax, { error: `each hold takes at most ${holdQuantityMax} names` }), {
    error: says('holders', 'an object of hold id -> list of names, e.g. { "<holdId>": ["Ada Lovelace"] }'),
  }).optional(),
  provider: z.enum(['simulated', 'stripe', 'clictopay', 'konnect'], { error: says('provider', '"simulated", "stripe", "clictopay" or "konnect"') }).default('simulated'),
  locale: z.enum(['en', 'fr', 'ar'], { error: says('locale', '"en", "fr" or "ar"') }).default('en'),
  promoCode: promoCode('promoCode').optional(),
});

/** POST /api/events/:id/promo-codes: a percent or an amount off each ticket, for one type or all, with an optional cap and window. */
export const createPromoCodeSchema = z.strictObject({
  code: promoCode('code'),
  percentOff: int('percentOff', 1, 100).optional(),
  amountOff: int('amountOff', 1, priceMinorMax).optional(),
  typeId: z.uuid({ error: says('typeId', 'the id of one of the event\'s ticket types, or null for all') }).nullable().default(null),
  maxUses: int('maxUses', 1, promoUsesMax).nullable().default(null),
  startsAt: dateTime('startsAt').nullable().default(null),
  endsAt: dateTime('endsAt').nullable().default(null),
}).refine((c) => (c.percentOff === undefined) !== (c.amountOff === undefined), { error: 'send exactly one of percentOff (a whole percent, 1 to 100) or amountOff (minor units)', path: ['percentOff'] })
  .refine((c) => c.startsAt === null || c.endsAt === null || c.endsAt > c.startsAt, { error: 'endsAt must be after startsAt', path: ['endsAt'] });

export const promoQuoteQuerySchema = z.object({ code: promoCode('code') });
export type CheckoutInput = z.infer<typeof checkoutSchema>;

/** POST /api/ops/refunds/manual/:orderId: the operator made the refund by hand, and says how to find it. */
export const manualRefundDoneSchema = z.strictObject({
  reference: text('reference', 1, 200),
  note: text('note', 0, 1000).optional(),
});

/** POST /api/events/:id/cancel: the event's name, typed by the organizer, confirms the cancellation. */
export const cancelEventSchema = z.strictObject({
  eventName: text('eventName', 1, 200).meta({ description: 'The event\'s name, exactly as it is (spaces at either end ignored): the organizer\'s explicit confirmation.' }),
});

/** POST /api/orders/:id/refund: no body, or the organizer's override for an order with a used ticket. */
export const refundSchema = z.strictObject({
  refundUsedTickets: z.boolean({ error: 'refundUsedTickets must be true or false' }).default(false)
    .meta({ description: 'The organizer only: refund an order even though some of its tickets were used at the door.' }),
});

export const simulatedPaymentSchema = z.strictObject({
  outcome: z.enum(['pay', 'decline'], { error: says('outcome', '"pay" or "decline"') }),
});

// ---- helpers -------------------------------------------------------------

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

/**
 * The parsed body, or HttpError 400 naming the first problem (`control_characters`,
 * `unknown_field` or `invalid_body`). Every JSON body of the API goes through here.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  refuseControlCharacters(body);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const at = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]!];
    throw new HttpError(400, 'unknown_field', `unknown field "${pathText(field)}"; remove it (fields are case-sensitive)`, { field: pathText(field) });
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  }
  // Messages start with the field's own name; show its full path instead ("ticketTypes[0].price must be ...").
  const last = issue.path.at(-1);
  let message = issue.message;
  if (typeof last === 'string' && message.startsWith(last) && at !== last) message = at + message.slice(last.length);
  else if (at !== '' && typeof last !== 'string') message = `${at}: ${message}`;
  throw new HttpError(400, 'invalid_body', message, at === '' ? undefined : { field: at });
}

/**
 * A body that may be left out (a route mounted with `{ body: 'raw' }`): none at
 * all parses as `{}`; one that is sent must be JSON, as everywhere else.
 */
export function parseOptionalBody<S extends z.ZodType>(schema: S, raw: Buffer | null, contentType: string): z.output<S> {
  if (raw === null || raw.length === 0) return parseBody(schema, {});
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as JSON with the header "Content-Type: application/json", or send none.');
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return parseBody(schema, {});
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', `The request body is not valid JSON: ${(error as Error).message}.`);
  }
  return parseBody(schema, body);
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id as the engine and Postgres know it (lowercase), or null when it is not a UUID. */
export function normalizeUuid(id: string): string | null {
  return uuidShape.test(id) ? id.toLowerCase() : null;
}

/** Printable ASCII, 1..200 characters: safe to log and to key a map with. */
const idempotencyKeyShape = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

export function requireIdempotencyKey(header: string): string {
  if (!idempotencyKeyShape.test(header) || header.length > idempotencyKeyCharsMax) {
    throw new HttpError(400, 'idempotency_key_required', `Send an "Idempotency-Key" header of 1 to ${idempotencyKeyCharsMax} printable characters, e.g. a UUID you make per purchase attempt; retries reuse it.`);
  }
  return header;
}

/** The header every hold needs. Checked by `requireIdempotencyKey` (the hot path); this schema describes it, and a test keeps the two in agreement. */
export const idempotencyKeySchema = z.string().regex(idempotencyKeyShape).max(idempotencyKeyCharsMax)
  .meta({ description: `1 to ${idempotencyKeyCharsMax} printable ASCII characters (no leading space), e.g. a UUID made per purchase attempt; a retry reuses it.` });

// ---- query strings -------------------------------------------------------

/**
 * The parsed query string, or HttpError 400 `invalid_query` naming the first
 * problem. A parameter given twice counts once (the first, as URLSearchParams.get). Unknown
 * parameters are ignored: caches and trackers add their own.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of query) if (!Object.hasOwn(values, name)) values[name] = value;
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const at = pathText(issue.path);
  throw new HttpError(400, 'invalid_query', issue.message, at === '' ? undefined : { field: at });
}

/** GET /api/events: `mine=1` (or `true`) lists the signed-in organizer's own events, drafts included. */
export const eventsQuerySchema = z.object({
  mine: z.string().optional().meta({ description: '"1" or "true": the signed-in organizer\'s own events (needs the organizer role). Anything else: the public list.' }),
});

/** GET /api/events/:id/payout: JSON unless `format=csv` (or `Accept: text/csv` without `format`). */
export const payoutQuerySchema = z.object({
  format: z.enum(['json', 'csv'], { error: 'format must be "json" or "csv"' }).optional(),
});

/** The signed link of the confirmation email (#15): base64url of an HMAC-SHA256, 43 characters. */
export const calendarQuerySchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'token must be the 43-character code from the email link' }).optional(),
});

export const salesQuerySchema = z.object({
  bucket: z.enum(['minute', 'hour', 'day'], { error: 'bucket must be "minute", "hour" or "day"' }).default('minute'),
});

const lookupNeeds = 'Send q with 2 to 100 characters of the holder\'s name, or orderId.';
/** Door staff look a holder up by name (part of it) or order id; `orderId`, when sent, wins over `q`. */
export const lookupQuerySchema = z.object({
  q: z.string().optional().meta({ description: '2 to 100 characters of the holder\'s name, or an order id. Ignored when orderId is sent.' }),
  orderId: z.string().trim().regex(uuidShape, { error: 'orderId must be a UUID, e.g. 0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a' }).transform((s) => s.toLowerCase()).optional(),
}).superRefine((x, ctx) => {
  if (x.orderId !== undefined) return;
  const q = (x.q ?? '').trim();
  if (q.length < 2 || q.length > 100) ctx.addIssue({ code: 'custom', path: ['q'], message: lookupNeeds });
});

const gatewayOrderId = 'orderId must be the gateway\'s order id, as Clictopay sends it.';
export const clictopayReturnQuerySchema = z.object({
  orderId: z.string({ error: gatewayOrderId }).regex(/^[0-9A-Za-z-]{1,64}$/, { error: gatewayOrderId }),
});

export const devMailQuerySchema = z.object({
  to: z.string().optional().meta({ description: 'Only the emails to this address (any case).' }),
});

/** GET /api/payments/konnect/webhook: Konnect names the payment and nothing else (the state is asked of its API). */
export const konnectWebhookQuerySchema = z.object({
  payment_ref: z.string({ error: 'payment_ref must be Konnect\'s payment reference, as Konnect sends it.' })
    .regex(/^[0-9A-Za-z_-]{1,64}$/, { error: 'payment_ref must be Konnect\'s payment reference, as Konnect sends it.' }),
});

/** GET /api/payments/konnect/return: `payment` is Tickr's own payment id, put in the success and fail URLs by Tickr. */
export const konnectReturnQuerySchema = z.object({
  payment: z.string({ error: 'payment must be the Tickr payment id that the return URL carries.' })
    .transform((v, ctx) => normalizeUuid(v) ?? (ctx.addIssue({ code: 'custom', message: 'payment must be the Tickr payment id that the return URL carries.' }), z.NEVER)),
});

/** GET /api/ops/refunds/manual: the ones waiting (default) or the ones done. */
export const manualRefundsQuerySchema = z.object({
  state: z.enum(['manual_required', 'done'], { error: 'state must be "manual_required" (the default) or "done".' }).default('manual_required'),
});

/** GET /api/dev/sms: only the texts to one phone. */
export const devSmsQuerySchema = z.object({
  to: z.string().optional().meta({ description: 'Only the texts to this phone number (E.164, e.g. +21620123456).' }),
});
