import type { Engine } from '../../../engine/src/engine.ts';
import { eventIdOfHold } from '../../../engine/src/inventory/ids.ts';
import { z } from 'zod';
import { holdQuantityMax } from '../../../engine/src/constants.ts';
import { ask, EngineVerbs, type AnswerOf } from '../../../engine/src/engine_verbs.ts';
import type { HoldView, PlaceBasket, PlaceHold, Refusal } from '../../../engine/src/inventory/types.ts';
import { requireRole } from '../auth/guard.ts';
import { outcomeToHttp, type HttpError } from '../http/errors.ts';
import type { EdgeMetrics } from '../http/metrics.ts';
import type { Ctx, Reply, Router } from '../http/route.ts';
import { parseBody, placeBasketSchema, placeHoldSchema, requireIdempotencyKey } from '../validation.ts';
import type { AdmissionGate } from '../queue/admission_gate.ts';
import { noTerms, type HoldPolicy, type HoldTerms } from '../queue/hold_policy.ts';
import { eventIdParam } from './events.ts';

/**
 * `admission`: the queued drops' token check; `policy`: the drops' hoarding
 * rules (verified email, per-address cap). Both absent in tests that mount holds alone.
 */
export type HoldsDeps = { engine: Engine; metrics: EdgeMetrics; admission?: AdmissionGate; policy?: HoldPolicy };

/*
 * The last expiry formatted: toISOString is a runtime call of 1 to 2 µs on the
 * hold path, and the holds a worker places in one batch mostly share their
 * millisecond, so their answers, written one after the other, share the string.
 */
let isoMs = Number.NaN;
let iso = '';
function isoOf(ms: number): string {
  if (ms !== isoMs) {
    iso = new Date(ms).toISOString();
    isoMs = ms;
  }
  return iso;
}

export function holdView(h: HoldView) {
  return {
    holdId: h.holdId,
    eventId: h.eventId,
    typeId: h.typeId,
    quantity: h.qty,
    price: h.price,
    currency: h.currency,
    status: h.status,
    expiresAt: isoOf(h.expiresAt),
  };
}

/** A basket's holds, its id (its first hold's) and what it costs in all. */
export function basketView(holds: HoldView[]) {
  const first = holds[0]!;
  return {
    basketId: first.holdId,
    holds: holds.map(holdView),
    amount: holds.reduce((sum, h) => sum + h.price * h.qty, 0),
    currency: first.currency,
    expiresAt: isoOf(first.expiresAt),
  };
}

const holdNotFound = () => outcomeToHttp({ ok: false, reason: 'hold_not_found' });

function holdParam(ctx: Ctx): { holdId: string; eventId: string } {
  const holdId = ctx.params.id ?? '';
  const eventId = eventIdOfHold(holdId);
  if (eventId === null) throw holdNotFound();
  return { holdId, eventId };
}

/** zod's own UUID pattern, the one `placeHoldSchema` checks `typeId` with. */
const uuidPattern = z.regexes.uuid();

/**
 * The single-hold body `{ typeId, quantity }` in its valid shape, checked by
 * hand: zod cost the hot path microseconds per hold. It accepts only what
 * `placeHoldSchema` accepts; anything else (null) goes through the schema,
 * which words the 400, so bad input gets the same answers as before.
 */
export function plainHold(body: unknown): { typeId: string; quantity: number } | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  let fields = 0;
  for (const name in body) {
    if (name !== 'typeId' && name !== 'quantity') return null;
    fields++;
  }
  if (fields !== 2) return null;
  const { typeId, quantity } = body as { typeId: unknown; quantity: unknown };
  if (typeof typeId !== 'string' || !uuidPattern.test(typeId)) return null;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > holdQuantityMax) return null;
  return { typeId, quantity };
}


/** The single-type form `{ typeId, quantity }`, or a basket `{ items: [{ typeId, quantity }, ...] }` (one hold per type, all or none). */
function placeCommand(body: unknown, eventId: string, buyer: string, key: string): { cmd: PlaceHold | PlaceBasket; quantity: number } {
  const plain = plainHold(body);
  if (plain !== null) return { cmd: { kind: 'placeHold', eventId, typeId: plain.typeId.toLowerCase(), qty: plain.quantity, buyer, key }, quantity: plain.quantity };
  if (typeof body === 'object' && body !== null && 'items' in body) {
    const { items } = parseBody(placeBasketSchema, body);
    const cmd: PlaceBasket = { kind: 'placeBasket', eventId, items: items.map((i) => ({ typeId: i.typeId.toLowerCase(), qty: i.quantity })), buyer, key };
    return { cmd, quantity: items.reduce((n, i) => n + i.quantity, 0) };
  }
  const input = parseBody(placeHoldSchema, body);
  return { cmd: { kind: 'placeHold', eventId, typeId: input.typeId.toLowerCase(), qty: input.quantity, buyer, key }, quantity: input.quantity };
}

/** What the queue and the drop's rules add to a hold: set on the command only when they say something. */
function applyTerms(cmd: PlaceHold | PlaceBasket, admitted: boolean, terms: HoldTerms): void {
  if (admitted) cmd.admitted = true;
  if (terms.addressMax !== undefined) {
    cmd.address = terms.address;
    cmd.addressMax = terms.addressMax;
  }
}

/** A refusal becomes its HTTP error (an event that does not exist reads `missing` when the id named a hold). */
function refused(metrics: HoldsDeps['metrics'], refusal: Refusal, missing: 'event_not_found' | 'hold_not_found' = 'hold_not_found'): HttpError {
  metrics.refusal(refusal.reason);
  // A hold id naming an event that does not exist names no hold either.
  return outcomeToHttp(refusal.reason === 'event_not_found' ? { ok: false, reason: missing } : refusal);
}

export function mountHolds(router: Router, deps: HoldsDeps): void {
  mountPlaceHold(router, deps);
  mountHoldById(router, deps);
}

/** POST /api/events/:id/holds, the hot path. */
function mountPlaceHold(router: Router, { engine, metrics, admission, policy }: HoldsDeps): void {
  // Made once, not per request: the hot path allocates no closure of its own.
  const heldReply = (outcome: AnswerOf<'placeHold'> | Refusal): Reply => {
    if (!outcome.ok) throw refused(metrics, outcome, 'event_not_found');
    metrics.holdPlaced();
    return { status: 201, body: holdView(outcome.hold) };
  };
  const basketReply = (outcome: AnswerOf<'placeBasket'> | Refusal): Reply => {
    if (!outcome.ok) throw refused(metrics, outcome, 'event_not_found');
    metrics.holdPlaced(outcome.holds.length);
    return { status: 201, body: basketView(outcome.holds) };
  };
  /** `ask` (the verbs' own typed send) with the command as built: the hot path copies it no more. */
  function place(cmd: PlaceHold | PlaceBasket, admitted: boolean, terms: HoldTerms): Promise<Reply> {
    applyTerms(cmd, admitted, terms);
    return cmd.kind === 'placeHold' ? ask(engine, cmd).then(heldReply) : ask(engine, cmd).then(basketReply);
  }

  // The hot path: no database, no Promise beyond the engine's answer (and `ask`'s check of its kind).
  router.route('post', '/api/events/:id/holds', (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const eventId = eventIdParam(ctx);
    const key = requireIdempotencyKey(ctx.headers['idempotency-key']);
    const { cmd, quantity } = placeCommand(ctx.body, eventId, claims.sub, key);
    // Synchronous while the drop's queue settings are cached: the hot path stays one Promise.
    const admitted = admission === undefined ? false : admission.check(eventId, claims.sub, ctx.headers['admission-token'], quantity);
    const terms = policy === undefined ? noTerms : policy.check(eventId, claims.sub, () => ctx.clientAddress);
    if (typeof admitted === 'boolean' && !(terms instanceof Promise)) return place(cmd, admitted, terms);
    return Promise.all([admitted, terms]).then(([a, t]) => place(cmd, a, t));
  }, { body: true });
}

/** A hold by its id: read, released by its buyer, confirmed by an operator. */
function mountHoldById(router: Router, { engine, metrics }: HoldsDeps): void {
  const verbs = new EngineVerbs(engine);

  router.route('get', '/api/holds/:id', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const { holdId, eventId } = holdParam(ctx);
    const answer = await verbs.getHold({ eventId, holdId });
    if (!answer.ok) throw refused(metrics, answer);
    // Someone else's hold answers like a missing one.
    if (answer.hold.buyer !== claims.sub && claims.role !== 'operator') throw holdNotFound();
    return { status: 200, body: holdView(answer.hold) };
  });

  router.route('delete', '/api/holds/:id', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const { holdId, eventId } = holdParam(ctx);
    const answer = await verbs.releaseHold({ eventId, holdId, buyer: claims.sub });
    if (!answer.ok) throw refused(metrics, answer);
    metrics.holdReleased();
    return { status: 200, body: holdView(answer.hold) };
  });

  router.route('post', '/api/holds/:id/confirm', async (ctx) => {
    requireRole(ctx, 'operator');
    const { holdId, eventId } = holdParam(ctx);
    const answer = await verbs.confirmHold({ eventId, holdId });
    if (!answer.ok) throw refused(metrics, answer);
    metrics.holdConfirmed();
    return { status: 200, body: { hold: holdView(answer.hold), ticketIds: answer.ticketIds } };
  });
}
