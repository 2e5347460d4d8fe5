import type { Engine } from '../../../engine/src/engine.ts';
import { eventIdOfHold } from '../../../engine/src/inventory/ids.ts';
import type { HoldView, Outcome, PlaceBasket, PlaceHold } from '../../../engine/src/inventory/types.ts';
import { requireRole } from '../auth/guard.ts';
import { outcomeToHttp } from '../http/errors.ts';
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

export function holdView(h: HoldView) {
  return {
    holdId: h.holdId,
    eventId: h.eventId,
    typeId: h.typeId,
    quantity: h.qty,
    price: h.price,
    currency: h.currency,
    status: h.status,
    expiresAt: new Date(h.expiresAt).toISOString(),
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
    expiresAt: new Date(first.expiresAt).toISOString(),
  };
}

const holdNotFound = () => outcomeToHttp({ ok: false, reason: 'hold_not_found' });

function holdParam(ctx: Ctx): { holdId: string; eventId: string } {
  const holdId = ctx.params.id ?? '';
  const eventId = eventIdOfHold(holdId);
  if (eventId === null) throw holdNotFound();
  return { holdId, eventId };
}

export function mountHolds(router: Router, { engine, metrics, admission, policy }: HoldsDeps): void {
  /** Refusals become their HTTP error; an outcome of another kind than expected is a bug (500). */
  function expect<K extends string>(outcome: Outcome, kind: K, missing: 'event_not_found' | 'hold_not_found' = 'hold_not_found'): Extract<Outcome, { kind: K }> {
    if (!outcome.ok) {
      metrics.refusal(outcome.reason);
      // A hold id naming an event that does not exist names no hold either.
      throw outcomeToHttp(outcome.reason === 'event_not_found' ? { ok: false, reason: missing } : outcome);
    }
    if (outcome.kind !== kind) throw new Error(`engine answered ${outcome.kind}, expected ${kind}`);
    return outcome as Extract<Outcome, { kind: K }>;
  }

  /** The single-type form `{ typeId, quantity }`, or a basket `{ items: [{ typeId, quantity }, ...] }` (one hold per type, all or none). */
  function placeCommand(body: unknown, eventId: string, buyer: string, key: string): { cmd: PlaceHold | PlaceBasket; quantity: number } {
    if (typeof body === 'object' && body !== null && 'items' in body) {
      const { items } = parseBody(placeBasketSchema, body);
      const cmd: PlaceBasket = { kind: 'placeBasket', eventId, items: items.map((i) => ({ typeId: i.typeId.toLowerCase(), qty: i.quantity })), buyer, key };
      return { cmd, quantity: items.reduce((n, i) => n + i.quantity, 0) };
    }
    const input = parseBody(placeHoldSchema, body);
    return { cmd: { kind: 'placeHold', eventId, typeId: input.typeId.toLowerCase(), qty: input.quantity, buyer, key }, quantity: input.quantity };
  }

  // The hot path: no database, no Promise beyond the engine's own.
  router.route('post', '/api/events/:id/holds', (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const eventId = eventIdParam(ctx);
    const key = requireIdempotencyKey(ctx.headers['idempotency-key']);
    const { cmd, quantity } = placeCommand(ctx.body, eventId, claims.sub, key);
    const place = (admitted: boolean, terms: HoldTerms) => {
      if (admitted) cmd.admitted = true;
      if (terms.addressMax !== undefined) {
        cmd.address = terms.address;
        cmd.addressMax = terms.addressMax;
      }
      return engine.send(cmd).then((outcome): Reply => {
        if (cmd.kind === 'placeBasket') {
          const held = expect(outcome, 'basketHeld', 'event_not_found');
          metrics.holdPlaced(held.holds.length);
          return { status: 201, body: basketView(held.holds) };
        }
        const held = expect(outcome, 'held', 'event_not_found');
        metrics.holdPlaced();
        return { status: 201, body: holdView(held.hold) };
      });
    };
    // Synchronous while the drop's queue settings are cached: the hot path stays one Promise.
    const admitted = admission === undefined ? false : admission.check(eventId, claims.sub, ctx.headers['admission-token'], quantity);
    const terms = policy === undefined ? noTerms : policy.check(eventId, claims.sub, () => ctx.clientAddress);
    if (typeof admitted === 'boolean' && !(terms instanceof Promise)) return place(admitted, terms);
    return Promise.all([admitted, terms]).then(([a, t]) => place(a, t));
  }, { body: true });

  router.route('get', '/api/holds/:id', async (ctx) => {
    const claims = requireRole(ctx, 'participant', 'organizer', 'staff', 'operator', 'admin');
    const { holdId, eventId } = holdParam(ctx);
    const { hold } = expect(await engine.send({ kind: 'getHold', eventId, holdId }), 'hold');
    // Someone else's hold answers like a missing one.
    if (hold.buyer !== claims.sub && claims.role !== 'operator') throw holdNotFound();
    return { status: 200, body: holdView(hold) };
  });

  router.route('delete', '/api/holds/:id', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const { holdId, eventId } = holdParam(ctx);
    const { hold } = expect(await engine.send({ kind: 'releaseHold', eventId, holdId, buyer: claims.sub }), 'released');
    metrics.holdReleased();
    return { status: 200, body: holdView(hold) };
  });

  router.route('post', '/api/holds/:id/confirm', async (ctx) => {
    requireRole(ctx, 'operator');
    const { holdId, eventId } = holdParam(ctx);
    const confirmed = expect(await engine.send({ kind: 'confirmHold', eventId, holdId }), 'confirmed');
    metrics.holdConfirmed();
    return { status: 200, body: { hold: holdView(confirmed.hold), ticketIds: confirmed.ticketIds } };
  });
}
