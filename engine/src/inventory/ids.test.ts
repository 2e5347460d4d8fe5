import { describe, expect, it } from 'vitest';
import { eventIdOfHold, holdIdSource, newTicketId } from './ids.ts';

const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('holdIdSource', () => {
  it('makes hold ids of the same shape as newHoldId, for its event, never twice', () => {
    const next = holdIdSource(eventId);
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const holdId = next();
      expect(holdId).toMatch(/^6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\.[A-Za-z0-9_-]{12}$/);
      expect(eventIdOfHold(holdId)).toBe(eventId);
      seen.add(holdId);
    }
    expect(seen.size).toBe(1_000);
  });
});

describe('newTicketId', () => {
  it('makes lower-case version 4 UUIDs, never twice, across many batches', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const ticketId = newTicketId();
      expect(ticketId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(ticketId);
    }
    expect(seen.size).toBe(5_000);
  });
});
