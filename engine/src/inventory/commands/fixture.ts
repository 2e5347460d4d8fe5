import type { EventConfig } from '../types.ts';

/** The event the command tests share: one type of 10 at 50 EUR, 4 per buyer, 1-minute holds, no sale window. */
export const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const config: EventConfig = {
  eventId,
  shard: 0,
  currency: 'EUR',
  perBuyerLimit: 4,
  holdTtlMs: 60_000,
  saleStartsAt: null,
  saleEndsAt: null,
  types: [{ typeId: 'floor', price: 5_000, capacity: 10 }],
};
