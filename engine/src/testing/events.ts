import { callVia, expectStatus, type Via } from './http.ts';

export type TicketTypeSpec = { name: string; price: number; capacity: number };

export type CreatedEvent = {
  id: string;
  /** The first ticket type's id (most tests sell one). */
  typeId: string;
  typeIds: string[];
  ticketTypes: { id: string; name: string; price: number; capacity: number }[];
  /** The whole 201 answer. */
  body: Record<string, unknown>;
};

/**
 * What `createEvent` sends unless told otherwise: a published drop a week
 * away, on sale now, one type of 100 at 50.00 EUR, 10 per buyer, 8-minute holds.
 */
export function eventDraft(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Test drop',
    venue: 'Hall',
    startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    currency: 'EUR',
    perBuyerLimit: 10,
    holdTtlSeconds: 480,
    ticketTypes: [{ name: 'General', price: 5_000, capacity: 100 }],
    ...over,
  };
}

/** Creates an event through the API (`POST /api/events`, 201) as its organizer; `over` replaces fields of `eventDraft()`. */
export async function createEvent(via: Via, token: string, over: Record<string, unknown> = {}): Promise<CreatedEvent> {
  const answer = expectStatus(await callVia(via)('POST', '/api/events', { token, body: eventDraft(over) }), 'create event', 201);
  const ticketTypes = answer.body.ticketTypes as CreatedEvent['ticketTypes'];
  return { id: answer.body.id, typeId: ticketTypes[0]!.id, typeIds: ticketTypes.map((t) => t.id), ticketTypes, body: answer.body };
}
