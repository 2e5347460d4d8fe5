/**
 * A queue ticket is a buyer's place in a drop's queue, signed by the server so
 * the client can carry it (and compute its own place from the published head)
 * without the server looking anything up. Place 1 is the first admitted.
 */
import { assert } from '../assert.ts';
import { queueIdCharsMax } from './limits.ts';
import { isCount, isId, openText, signText } from './signed_text.ts';

export type QueueTicket = { eventId: string; place: number; buyer: string; issuedAt: number };

export type QueueTicketCheck = { ok: true; ticket: QueueTicket } | { ok: false; reason: 'malformed' | 'forged' };

const purpose = 'tickr.queue-ticket.v1';

export function signQueueTicket(ticket: QueueTicket, key: Uint8Array): string {
  assert(isQueueTicket(ticket), 'a queue ticket has ids, a place from 1 and an issue time');
  const { eventId, place, buyer, issuedAt } = ticket;
  return signText(purpose, { eventId, place, buyer, issuedAt }, key);
}

export function verifyQueueTicket(text: string, key: Uint8Array): QueueTicketCheck {
  const opened = openText(purpose, text, key);
  if (!opened.ok) return opened;
  if (!isQueueTicket(opened.payload)) return { ok: false, reason: 'malformed' };
  const { eventId, place, buyer, issuedAt } = opened.payload;
  return { ok: true, ticket: { eventId, place, buyer, issuedAt } };
}

function isQueueTicket(value: unknown): value is QueueTicket {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isId(v.eventId, queueIdCharsMax) &&
    isId(v.buyer, queueIdCharsMax) &&
    isCount(v.place) &&
    v.place >= 1 &&
    isCount(v.issuedAt)
  );
}
