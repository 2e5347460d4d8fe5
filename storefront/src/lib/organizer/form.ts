import { currencyExponent, fromDecimal } from '../format.ts';

/**
 * The organizer's forms speak in the currency's own units ("45.5") and in
 * UTC wall-clock times (the page says so); the edge takes minor units and
 * ISO instants. Pure functions, so the form action stays short.
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
  const startsAt = utcInput(form.get('startsAt'));
  if (!startsAt) return { ok: false, problem: 'create.problemStartsAt' };
  const saleStartsAt = utcInput(form.get('saleStartsAt'));
  if (saleStartsAt === undefined) return { ok: false, problem: 'create.problemSaleStartsAt' };
  const limit = Number(form.get('perBuyerLimit') ?? 4);
  return {
    ok: true,
    body: {
      name: String(form.get('name') ?? '').trim(),
      venue: String(form.get('venue') ?? '').trim(),
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
