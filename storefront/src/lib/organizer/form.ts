import { currencyExponent, fromDecimal } from '../format.ts';
import { isTimeZone, localToUtc, utcToLocal } from '../zoned.ts';

/**
 * The organizer's forms speak in the currency's own units ("45.5") and in
 * wall-clock times of the event's zone (zoned.ts, DST handled there); the
 * edge takes minor units and ISO instants. Pure functions, so the form
 * action stays short.
 */

/**
 * "45,5" or "45.500" TND → 45500 minor units; null when it is not an amount,
 * has more decimals than the currency, or the currency is not one Tickr sells
 * in. `exponent` is the one an event view carries; otherwise the shared table's.
 */
export function toMinor(text: string, currency: string, exponent: number | null = currencyExponent(currency)): number | null {
  if (exponent === null) return null;
  const clean = text.trim().replace(/\s/g, '').replace(',', '.');
  // Prices are never negative: a minus sign is not an amount here.
  return clean.startsWith('-') ? null : fromDecimal(clean, exponent);
}

/** A `datetime-local` value read as UTC → ISO, '' → null, nonsense → undefined. */
export function utcInput(value: FormDataEntryValue | null): string | null | undefined {
  const text = String(value ?? '').trim();
  if (text === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined;
  const at = new Date(`${text}${text.length === 16 ? ':00' : ''}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** An ISO instant as a `datetime-local` value in UTC. */
export function toUtcInput(iso: string | null): string {
  return iso === null ? '' : iso.slice(0, 16);
}

/** A `datetime-local` value in `zone` → ISO, '' → null, nonsense → undefined. */
export function zonedInput(value: FormDataEntryValue | null, zone: string): string | null | undefined {
  const text = String(value ?? '').trim();
  if (text === '') return null;
  return localToUtc(text, zone) ?? undefined;
}

/** An ISO instant as a `datetime-local` value in `zone`. */
export function toZonedInput(iso: string | null, zone: string): string {
  return utcToLocal(iso, zone);
}

/** Zones offered first in the form; any other IANA zone Intl knows is accepted too. */
export const commonTimeZones = ['Africa/Tunis', 'Africa/Algiers', 'Africa/Casablanca', 'Africa/Cairo', 'Europe/Paris', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Montreal', 'Asia/Dubai', 'UTC'];

/** The zones of the form's list: the common ones, the browser-independent Intl list after them. */
export function timeZoneChoices(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...commonTimeZones, ...all])];
}

/** The form's zone, or null when it is not one Intl knows. */
export function formZone(form: FormData, fallback: string): string | null {
  const zone = String(form.get('timeZone') ?? '').trim() || fallback;
  return isTimeZone(zone) ? zone : null;
}

/** Latitude and longitude, both or neither; undefined when they are not numbers in range or only one is given. */
export function coordinates(form: FormData): { latitude: number | null; longitude: number | null } | undefined {
  const lat = String(form.get('latitude') ?? '').trim().replace(',', '.');
  const lon = String(form.get('longitude') ?? '').trim().replace(',', '.');
  if (lat === '' && lon === '') return { latitude: null, longitude: null };
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (lat === '' || lon === '' || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

/** Multi-line plain text as typed (CRLF from the browser becomes LF at the edge). */
function textArea(form: FormData, name: string): string {
  return String(form.get(name) ?? '').trim();
}

export type TicketTypeInput = { name: string; price: string; capacity: string };

/** The event as the edge's POST /api/events takes it, or the first problem as a message key. */
export function eventBody(form: FormData): { ok: true; body: Record<string, unknown> } | { ok: false; problem: string } {
  const currency = String(form.get('currency') ?? 'TND');
  const names = form.getAll('typeName').map(String);
  const prices = form.getAll('typePrice').map(String);
  const capacities = form.getAll('typeCapacity').map(String);
  const ticketTypes: { name: string; price: number; capacity: number }[] = [];
  for (const [n, name] of names.entries()) {
    if (name.trim() === '' && (prices[n] ?? '').trim() === '' && (capacities[n] ?? '').trim() === '') continue;
    const price = toMinor(prices[n] ?? '', currency);
    const capacity = Number(capacities[n]);
    if (name.trim() === '') return { ok: false, problem: 'create.problemTypeName' };
    if (price === null) return { ok: false, problem: 'create.problemPrice' };
    if (!Number.isInteger(capacity) || capacity < 1) return { ok: false, problem: 'create.problemCapacity' };
    ticketTypes.push({ name: name.trim(), price, capacity });
  }
  if (ticketTypes.length === 0) return { ok: false, problem: 'create.problemNoTypes' };
  const timeZone = formZone(form, currency === 'TND' ? 'Africa/Tunis' : 'UTC');
  if (timeZone === null) return { ok: false, problem: 'create.problemTimeZone' };
  const startsAt = zonedInput(form.get('startsAt'), timeZone);
  if (!startsAt) return { ok: false, problem: 'create.problemStartsAt' };
  const saleStartsAt = zonedInput(form.get('saleStartsAt'), timeZone);
  if (saleStartsAt === undefined) return { ok: false, problem: 'create.problemSaleStartsAt' };
  const place = coordinates(form);
  if (place === undefined) return { ok: false, problem: 'create.problemCoords' };
  const limit = Number(form.get('perBuyerLimit') ?? 4);
  return {
    ok: true,
    body: {
      // The storefront creates drafts: the organizer previews, edits and publishes (POST /api/events/:id/publish).
      status: 'draft',
      name: String(form.get('name') ?? '').trim(),
      venue: String(form.get('venue') ?? '').trim(),
      description: textArea(form, 'description'),
      address: textArea(form, 'address'),
      ...place,
      timeZone,
      startsAt,
      saleStartsAt,
      currency,
      perBuyerLimit: Number.isInteger(limit) && limit > 0 ? limit : 4,
      refundPolicy: String(form.get('refundPolicy') ?? 'none'),
      ...(form.get('refundPolicy') === 'until' ? { refundUntilDays: 7 } : {}),
      ticketTypes,
    },
  };
}

/** A form problem: the field it belongs to (shown beside it) and a message key. */
export type FieldProblem = { ok: false; field: string; problem: string };

type Edited = { id: string; name: string; price: number; capacity: number; retired?: boolean };

function wholeOrNull(form: FormData, name: string): number | null | undefined {
  const text = String(form.get(name) ?? '').trim();
  if (text === '') return null;
  const n = Number(text);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * The edit form → PATCH /api/events/:id: every field the edge accepts, sent
 * as shown (the edge checks them all and names the field it refuses). Ticket
 * types: the changed ones by id (name, price, capacity, retired), new rows
 * as newTicketTypes.
 */
export function editBody(form: FormData, current: { currency: string; exponent: number; timeZone: string; ticketTypes: Edited[] }): { ok: true; body: Record<string, unknown> } | FieldProblem {
  const timeZone = formZone(form, current.timeZone);
  if (timeZone === null) return { ok: false, field: 'timeZone', problem: 'create.problemTimeZone' };
  const times: Record<string, string | null> = {};
  for (const [field, problem] of [['startsAt', 'create.problemStartsAt'], ['endsAt', 'create.problemEndsAt'], ['saleStartsAt', 'create.problemSaleStartsAt'], ['saleEndsAt', 'create.problemEndsAt']] as const) {
    const at = zonedInput(form.get(field), timeZone);
    if (at === undefined || (field === 'startsAt' && at === null)) return { ok: false, field, problem };
    times[field] = at;
  }
  const place = coordinates(form);
  if (place === undefined) return { ok: false, field: 'latitude', problem: 'create.problemCoords' };
  const numbers: Record<string, number | null> = {};
  for (const field of ['perBuyerLimit', 'holdTtlMinutes', 'reminderHours', 'refundUntilDays']) {
    const n = wholeOrNull(form, field);
    if (n === undefined || (n === null && (field === 'perBuyerLimit' || field === 'holdTtlMinutes'))) return { ok: false, field, problem: 'edit.problemNumber' };
    numbers[field] = n;
  }
  const refundPolicy = String(form.get('refundPolicy') ?? 'none');
  const ticketTypes: Record<string, unknown>[] = [];
  for (const t of current.ticketTypes) {
    const name = String(form.get(`type.${t.id}.name`) ?? t.name).trim();
    const price = toMinor(String(form.get(`type.${t.id}.price`) ?? ''), current.currency, current.exponent);
    if (price === null) return { ok: false, field: `type.${t.id}.price`, problem: 'create.problemPrice' };
    const capacity = Number(form.get(`type.${t.id}.capacity`));
    if (!Number.isInteger(capacity) || capacity < 0) return { ok: false, field: `type.${t.id}.capacity`, problem: 'create.problemCapacity' };
    const retired = form.get(`type.${t.id}.retired`) === 'on';
    const change: Record<string, unknown> = { id: t.id };
    if (name !== t.name) change.name = name;
    if (price !== t.price) change.price = price;
    if (capacity !== t.capacity) change.capacity = capacity;
    if (retired !== (t.retired ?? false)) change.retired = retired;
    if (Object.keys(change).length > 1) ticketTypes.push(change);
  }
  const newTicketTypes: { name: string; price: number; capacity: number }[] = [];
  const names = form.getAll('newTypeName').map(String);
  const prices = form.getAll('newTypePrice').map(String);
  const capacities = form.getAll('newTypeCapacity').map(String);
  for (const [n, name] of names.entries()) {
    if (name.trim() === '' && (prices[n] ?? '').trim() === '' && (capacities[n] ?? '').trim() === '') continue;
    const price = toMinor(prices[n] ?? '', current.currency, current.exponent);
    const capacity = Number(capacities[n]);
    if (name.trim() === '') return { ok: false, field: 'newTypes', problem: 'create.problemTypeName' };
    if (price === null) return { ok: false, field: 'newTypes', problem: 'create.problemPrice' };
    if (!Number.isInteger(capacity) || capacity < 1) return { ok: false, field: 'newTypes', problem: 'create.problemCapacity' };
    newTicketTypes.push({ name: name.trim(), price, capacity });
  }
  return {
    ok: true,
    body: {
      name: String(form.get('name') ?? '').trim(),
      venue: String(form.get('venue') ?? '').trim(),
      description: textArea(form, 'description'),
      address: textArea(form, 'address'),
      ...place,
      timeZone,
      ...times,
      perBuyerLimit: numbers.perBuyerLimit,
      holdTtlSeconds: numbers.holdTtlMinutes! * 60,
      reminderHours: numbers.reminderHours,
      refundPolicy,
      refundUntilDays: refundPolicy === 'until' ? (numbers.refundUntilDays ?? 7) : null,
      ...(ticketTypes.length > 0 ? { ticketTypes } : {}),
      ...(newTicketTypes.length > 0 ? { newTicketTypes } : {}),
    },
  };
}

/** The edge's name for a refused field → the form's input it belongs to ("ticketTypes[0].price" → that type's price). */
export function formField(edgeField: unknown, body: Record<string, unknown>): string | null {
  if (typeof edgeField !== 'string') return null;
  if (edgeField === 'holdTtlSeconds') return 'holdTtlMinutes';
  const m = /^ticketTypes\[(\d+)\]\.(\w+)$/.exec(edgeField);
  if (m !== null) {
    const id = (body.ticketTypes as { id: string }[] | undefined)?.[Number(m[1])]?.id;
    return id === undefined ? null : `type.${id}.${m[2]}`;
  }
  if (edgeField.startsWith('newTicketTypes')) return 'newTypes';
  return edgeField.split(/[.[]/)[0] ?? null;
}
