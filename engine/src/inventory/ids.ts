import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Hold ids carry their event id, so the edge can route a hold to the actor
 * that owns it without a lookup: `${eventId}.${12 base64url characters}`.
 * The suffix is 72 random bits, enough that ids cannot be guessed.
 *
 * One `randomBytes` call per hold costs more than the rest of `placeHold`, so
 * random suffixes come from a pool filled by one call per `suffixPoolSize`
 * holds. The bytes are the same quality; only the system calls are batched.
 */
const suffixBytes = 9; // 9 bytes encode to exactly 12 base64url characters.
const suffixChars = 12;
const suffixPoolSize = 4096;

let pool = '';
let poolAt = 0;

function nextSuffix(): string {
  if (poolAt === pool.length) {
    pool = randomBytes(suffixBytes * suffixPoolSize).toString('base64url');
    poolAt = 0;
  }
  const suffix = pool.slice(poolAt, poolAt + suffixChars);
  poolAt += suffixChars;
  return suffix;
}

/** A new hold id for `eventId` (a uuid, as Postgres makes them). */
export function newHoldId(eventId: string): string {
  return `${eventId}.${nextSuffix()}`;
}

const holdIdShape = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{12}$/;

/** The event id inside a hold id, or null when the id is not one Tickr made. */
export function eventIdOfHold(holdId: string): string | null {
  const match = holdIdShape.exec(holdId);
  return match === null ? null : match[1]!;
}

/** A new ticket id. Node already batches `randomUUID`'s randomness. */
export function newTicketId(): string {
  return randomUUID();
}

/** Where handlers get fresh ids from; tests pass deterministic ones. */
export type Ids = {
  newHoldId: () => string;
  newTicketId: () => string;
};
