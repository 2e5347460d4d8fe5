import type { Reason, Refusal } from '../../../engine/src/inventory/types.ts';

/**
 * The one error a route throws to answer with a 4xx/5xx. It becomes the one
 * JSON error shape, `{ "error": { "code", "message", ...extra } }`, with its
 * status and headers. Anything else thrown by a handler is a bug: 500.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly extra: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, code: string, message: string, extra?: Record<string, unknown>, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

export type ErrorBody = { error: { code: string; message: string; [key: string]: unknown } };

export function errorBody(code: string, message: string, extra?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...extra } };
}

const retryAfter = { 'retry-after': '1' };

/** Status and a sentence that says what to do, per engine refusal. */
const refusals: Record<Reason, { status: number; message: string; headers?: Record<string, string> }> = {
  sold_out: { status: 409, message: 'Not enough tickets of this type are left; try a smaller quantity or another ticket type.' },
  limit_reached: { status: 409, message: 'This would take you past the per-buyer limit of this event; release a hold or buy fewer tickets.' },
  address_limit_reached: { status: 409, message: 'Your network address already holds as many tickets of this drop as the organizer allows at once; buy or release those holds first, or wait for them to expire.' },
  hold_expired: { status: 410, message: 'This hold has expired and its tickets went back on sale; place a new hold.' },
  hold_not_found: { status: 404, message: 'No such hold; check the hold id, or place a new hold.' },
  // Someone else's hold answers exactly like a missing one, so hold ids cannot be probed.
  not_hold_owner: { status: 404, message: 'No such hold; check the hold id, or place a new hold.' },
  event_not_found: { status: 404, message: 'No such event; check the event id.' },
  sale_not_started: { status: 403, message: 'The sale for this event has not started yet; try again at sale start.' },
  sale_ended: { status: 403, message: 'The sale for this event has ended.' },
  event_cancelled: { status: 410, message: 'This event was cancelled by its organizer: nothing more is sold, and every paid order is refunded.' },
  unknown_ticket_type: { status: 422, message: 'This event has no such ticket type; use a typeId from the event\'s ticketTypes.' },
  capacity_below_committed: { status: 409, message: 'Capacity cannot go below the tickets already sold or held; choose a larger capacity.' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was already used for a different request; send a new key for a new request.' },
  busy: { status: 503, message: 'The server is busy; retry in a second.', headers: retryAfter },
  shard_unavailable: { status: 503, message: 'This event is moving between servers; retry in a second.', headers: retryAfter },
};

/** The HttpError that answers an engine refusal. */
export function outcomeToHttp(refusal: Refusal): HttpError {
  const known = refusals[refusal.reason];
  // A reason added to the engine but not here is still an answer, never a 500.
  if (known === undefined) return new HttpError(409, refusal.reason, `The request was refused: ${refusal.reason}.`);
  const code = refusal.reason === 'not_hold_owner' ? 'hold_not_found' : refusal.reason;
  const extra: Record<string, unknown> = {};
  if (refusal.detail !== undefined && refusal.reason !== 'not_hold_owner') extra.detail = refusal.detail;
  // limit_reached: how many tickets the buyer may still take in this event (#15).
  if (refusal.remaining !== undefined) extra.remaining = refusal.remaining;
  return new HttpError(known.status, code, known.message, Object.keys(extra).length === 0 ? undefined : extra, known.headers);
}

/** Socket errors of a link to the database (or Redis) that is down, refused or unroutable, never of bad input. */
const linkErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EPIPE', 'EAI_AGAIN']);
/** Messages node-postgres and ioredis give a connection that is gone, not up in time, or timed out. */
const linkErrorMessages = [
  'Connection terminated', // pg: "... unexpectedly", "... due to connection timeout"
  'timeout exceeded when trying to connect', // pg-pool: connectionTimeoutMillis
  'Query read timeout', // pg: query_timeout
  'is not queryable', // pg: a client after a connection error
  'Connection is closed.', // ioredis
  'Command timed out', // ioredis: commandTimeout
  'Socket timeout', // ioredis: socketTimeout
  "Stream isn't writeable", // ioredis: offline, no offline queue
];
/** PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": connection exceptions (08), too many connections, shutting down or starting. */
const unavailableSqlStates = /^(08...|53300|57P0[1-3])$/;

/**
 * True when `error` (or one it wraps) says the database cannot be reached
 * right now: the request was fine and may succeed in a moment, so the answer
 * is 503 with Retry-After, not 500. `connect EINVAL` is a route that leads
 * nowhere (a blackhole), so EINVAL counts only from `connect`.
 */
export function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; syscall?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (linkErrorCodes.has(e.code)) return true;
    if (e.code === 'EINVAL' && e.syscall === 'connect') return true;
    if (unavailableSqlStates.test(e.code)) return true;
  }
  if (typeof e.message === 'string' && linkErrorMessages.some((m) => (e.message as string).includes(m))) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnreachable(inner, depth + 1))) return true;
  return isDatabaseUnreachable(e.cause, depth + 1);
}

/** The answer to a request that failed because the database is out of reach. */
export function databaseUnreachable(): HttpError {
  return new HttpError(503, 'unavailable', 'The database cannot be reached right now; retry in a second.', undefined, retryAfter);
}
