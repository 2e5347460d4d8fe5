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
  const extra = refusal.detail === undefined || refusal.reason === 'not_hold_owner' ? undefined : { detail: refusal.detail };
  return new HttpError(known.status, code, known.message, extra, known.headers);
}
