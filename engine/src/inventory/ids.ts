import { randomBytes } from 'node:crypto';

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

/** Hold ids made per batch by `holdIdSource`; a batch is one string, which every id of it keeps alive. */
const holdIdBatch = 64;

/**
 * New hold ids for `eventId`, as `newHoldId` makes them, for an actor that
 * makes many. Each id is a slice of one string built per `holdIdBatch` ids,
 * so an id costs one small string, not a concatenation of event id and suffix
 * (three strings, the last one made again when the id is first hashed). A
 * batch is some 3 KB; the ids a hot actor keeps (open holds, recent answers)
 * are mostly consecutive, so they keep few batches alive.
 */
export function holdIdSource(eventId: string): () => string {
  const prefix = `${eventId}.`;
  const length = prefix.length + suffixChars;
  let batch = '';
  let at = 0;
  return () => {
    if (at === batch.length) {
      const parts: string[] = [];
      for (let i = 0; i < holdIdBatch; i++) parts.push(prefix, nextSuffix());
      batch = parts.join('');
      at = 0;
    }
    const id = batch.slice(at, at + length);
    at += length;
    return id;
  };
}

const holdIdShape = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{12}$/;

/** The event id inside a hold id, or null when the id is not one Tickr made. */
export function eventIdOfHold(holdId: string): string | null {
  const match = holdIdShape.exec(holdId);
  return match === null ? null : match[1]!;
}

/** Ticket ids made per batch by `newTicketId`; a batch is one string of 36-character ids. */
const ticketIdBatch = 64;
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');

let ticketIds = '';
let ticketIdAt = 0;

/**
 * A new ticket id: a random (version 4) UUID, as `randomUUID` makes them,
 * sliced from a batch of `ticketIdBatch` written at once. Node's `randomUUID`
 * joins each id from some twenty pieces, a tree of strings made per id and
 * copied flat again when the id is encoded; a slice of a flat batch is one
 * small string. The randomness is the same: `randomBytes`.
 */
export function newTicketId(): string {
  if (ticketIdAt === ticketIds.length) {
    ticketIds = uuidBatch(ticketIdBatch);
    ticketIdAt = 0;
  }
  const id = ticketIds.slice(ticketIdAt, ticketIdAt + 36);
  ticketIdAt += 36;
  return id;
}

/** `count` version 4 UUIDs, lower-case, one after another in one string. */
function uuidBatch(count: number): string {
  const random = randomBytes(16 * count);
  const text = Buffer.allocUnsafe(36 * count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const first = 16 * i;
    random[first + 6] = (random[first + 6]! & 0x0f) | 0x40; // version 4
    random[first + 8] = (random[first + 8]! & 0x3f) | 0x80; // the RFC 4122 variant
    for (let j = 0; j < 16; j++) {
      if (j === 4 || j === 6 || j === 8 || j === 10) text[at++] = 0x2d; // '-'
      const byte = random[first + j]!;
      text[at++] = hexDigits[byte >> 4]!;
      text[at++] = hexDigits[byte & 15]!;
    }
  }
  return text.toString('latin1');
}

/** Where handlers get fresh ids from; tests pass deterministic ones. */
export type Ids = {
  newHoldId: () => string;
  newTicketId: () => string;
};
