import { promoCodesPerEventMax } from '../../../engine/src/constants.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { EngineVerbs } from '../../../engine/src/engine_verbs.ts';
import { eventIdOfHold } from '../../../engine/src/inventory/ids.ts';
import { priceLine } from '../../../engine/src/money/pricing.ts';
import { promoRefusal } from '../../../engine/src/orders/promo.ts';
import { countPromoCodes, disablePromoCode, discountOf, insertPromoCode, selectPromoCode, selectPromoCodes, type PromoCodeRow } from '../../../engine/src/orders/promo_codes_db.ts';
import { requireRole } from '../auth/guard.ts';
import { requireOwnEvent } from '../auth/own_event.ts';
import { HttpError, outcomeToHttp } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { createPromoCodeSchema, parseBody, parseQuery, promoQuoteQuerySchema } from '../validation.ts';
import { orderErrorToHttp } from './orders.ts';

export type PromoCodesDeps = { db: Db; engine: Engine };

/** A code as its organizer sees it. */
export function promoCodeView(c: PromoCodeRow) {
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    id: c.id, eventId: c.eventId, code: c.code, percentOff: c.percentOff, amountOff: c.amountOff, typeId: c.typeId,
    maxUses: c.maxUses, uses: c.uses, startsAt: iso(c.startsAt), endsAt: iso(c.endsAt), disabledAt: iso(c.disabledAt),
    createdAt: c.createdAt.toISOString(),
  };
}

const codeNotFound = () => new HttpError(404, 'promo_code_not_found', 'This event has no such promo code.');

export function mountPromoCodes(router: Router, { db, ...deps }: PromoCodesDeps): void {
  const engine = new EngineVerbs(deps.engine);
  router.route('get', '/api/events/:id/promo-codes', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    return { status: 200, body: { codes: (await selectPromoCodes(db, event.id, promoCodesPerEventMax)).map(promoCodeView) } };
  });

  router.route('post', '/api/events/:id/promo-codes', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    const input = parseBody(createPromoCodeSchema, ctx.body);
    if (input.typeId !== null && !event.ticketTypes.some((t) => t.id === input.typeId)) {
      throw new HttpError(422, 'unknown_ticket_type', 'typeId must name one of this event\'s ticket types (or be null for all).', { field: 'typeId' });
    }
    if ((await countPromoCodes(db, event.id)) >= promoCodesPerEventMax) {
      throw new HttpError(409, 'too_many_promo_codes', `An event has at most ${promoCodesPerEventMax} promo codes; disable and reuse none, or ask the operator.`);
    }
    const created = await insertPromoCode(db, event.id, {
      code: input.code, percentOff: input.percentOff ?? null, amountOff: input.amountOff ?? null, typeId: input.typeId,
      maxUses: input.maxUses, startsAt: input.startsAt, endsAt: input.endsAt,
    });
    if (created === null) throw new HttpError(409, 'promo_code_taken', `This event has the code ${input.code} already (codes are case-insensitive).`, { field: 'code' });
    return { status: 201, body: promoCodeView(created) };
  }, { body: true });

  router.route('post', '/api/events/:id/promo-codes/:code/disable', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    const code = ctx.params.code ?? '';
    if (!/^[A-Za-z0-9_-]{3,32}$/.test(code)) throw codeNotFound();
    const disabled = await disablePromoCode(db, event.id, code);
    if (disabled === null) throw codeNotFound();
    return { status: 200, body: promoCodeView(disabled) };
  });

  router.route('get', '/api/holds/:id/promo', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const holdId = ctx.params.id ?? '';
    const eventId = eventIdOfHold(holdId);
    if (eventId === null) throw outcomeToHttp({ ok: false, reason: 'hold_not_found' });
    const { code } = parseQuery(promoQuoteQuerySchema, ctx.query);
    const outcome = await engine.getHold({ eventId, holdId });
    if (!outcome.ok) throw outcomeToHttp(outcome.reason === 'event_not_found' ? { ok: false, reason: 'hold_not_found' } : outcome);
    const hold = outcome.hold;
    // Someone else's hold answers like a missing one.
    if (hold.buyer !== claims.sub) throw outcomeToHttp({ ok: false, reason: 'hold_not_found' });
    // A hold that ended has nothing left to price: answered as its checkout would be.
    if (hold.status !== 'held') throw outcomeToHttp({ ok: false, reason: hold.status === 'confirmed' ? 'hold_not_found' : 'hold_expired' });
    const row = await selectPromoCode(db, eventId, code);
    const refusal = promoRefusal(row, hold.typeId, Date.now());
    if (refusal !== null) throw orderErrorToHttp(refusal);
    const line = priceLine({ unitPrice: hold.price, quantity: hold.qty }, discountOf(row!), 0);
    return {
      status: 200,
      body: {
        code: row!.code, currency: hold.currency, quantity: hold.qty, unitPrice: line.unitPrice, unitDiscount: line.unitDiscount,
        discount: line.discount, amount: line.amount,
      },
    };
  });
}
