import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { Engine } from '../engine.ts';
import { EngineVerbs } from '../engine_verbs.ts';
import { eventIdOfHold } from '../inventory/ids.ts';
import type { HoldView } from '../inventory/types.ts';
import type { Jobs } from '../jobs/queues.ts';
import type { Logger } from '../log.ts';
import { priceLine } from '../money/pricing.ts';
import { PaymentUnavailable, ProviderError, type PaymentProvider, type PaymentProviderName } from '../payments/provider.ts';
import type { Providers } from '../payments/providers.ts';
import { OrderError } from './errors.ts';
import { insertOrder, insertOrderLines, selectOrder, selectOrderOfHold, type OrderRow } from './orders_db.ts';
import { insertPayment, selectPaymentOfOrder, setPaymentSession, switchPaymentProvider, type PaymentRow } from './payments_db.ts';
import { schedulePaymentPoll } from './payment_poll_job.ts';
import { claimPromo, discountsType, releaseLapsedClaims } from './promo.ts';
import { insertRedemption, normalizeCode, selectPromoCode } from './promo_codes_db.ts';
import { inTransaction } from '../db/transaction.ts';

export type CheckoutDeps = { db: Db; engine: Engine; config: Config; providers: Providers; jobs: Jobs; log: Logger; now: () => number };

/**
 * `holdId` is the order's first hold; `basket`, when given, lists every hold
 * of a basket (that one included), all of one event. `holderNames` are the
 * names the buyer gave per hold, one per ticket (validated at the edge).
 * `promoCode` applies to every line (a code for one type: to its lines only).
 */
export type CheckoutInput = {
  holdId: string;
  basket?: string[];
  holderNames?: Record<string, string[]>;
  buyerId: string;
  provider: PaymentProviderName;
  locale: string;
  promoCode?: string | undefined;
};

/**
 * Holds become an order (pending) and a payment session with the chosen
 * provider: one hold, or every hold of a basket, all still held, in one order
 * with one line per hold and one payment for the sum. Idempotent per hold: a
 * hold is a line of one order at most, so a retried (or concurrent) checkout
 * answers the same order and the same session, and providers get idempotency
 * keys derived from the payment.
 */
export async function checkout(deps: CheckoutDeps, input: CheckoutInput): Promise<{ order: OrderRow; payment: PaymentRow; created: boolean }> {
  const eventId = eventIdOfHold(input.holdId);
  if (eventId === null) throw new OrderError(404, 'hold_not_found', 'No such hold.', 'hold_not_found');
  const holdIds = input.basket ?? [input.holdId];

  let order = await selectOrderOfHold(deps.db, input.holdId);
  let created = false;
  if (order === null) {
    const holds = await Promise.all(holdIds.map((holdId) => heldOf(deps, eventId, holdId, input.buyerId)));
    for (const hold of holds) {
      const names = input.holderNames?.[hold.holdId]?.length ?? 0;
      if (names > hold.qty) throw new OrderError(422, 'too_many_holder_names', `holders lists ${names} names for a hold of ${hold.qty} tickets; give one name per ticket at most.`);
    }
    const amount = holds.reduce((sum, hold) => sum + hold.price * hold.qty, 0);
    const first = holds[0]!;
    // Refused before any row is written: an order stuck with a provider that cannot take it could never be paid.
    const provider = providerOrRefusal(deps.providers, input.provider);
    const refusal = provider.refusal?.(amount, first.currency) ?? null;
    if (refusal !== null) throw new OrderError(422, 'provider_unavailable', refusal);
    order = await insertPricedOrder(deps, input, eventId, holds, provider);
    created = order !== null;
    order ??= await selectOrderOfHold(deps.db, input.holdId);
    if (order === null) throw new Error(`order of hold ${input.holdId} vanished`);
  } else if (input.promoCode !== undefined && normalizeCode(input.promoCode) !== order.promoCode) {
    // An order's price is fixed at its checkout: a code typed afterwards would change what a payment session may already ask for.
    if (order.buyerId === input.buyerId) throw new OrderError(409, 'already_checked_out', 'This hold was checked out already; its price does not change. Release it and hold again to use a promo code.');
  }
  if (order.buyerId !== input.buyerId) throw new OrderError(404, 'hold_not_found', 'No such hold.', 'hold_not_found');

  let payment = await selectPaymentOfOrder(deps.db, order.id);
  if (payment === null) throw new Error(`order ${order.id} has no payment`);
  if (payment.providerRef === null && order.provider !== input.provider && order.status === 'pending') {
    ({ order, payment } = await switchProvider(deps, order, input.provider));
  }
  if (payment.providerRef === null) payment = await openSession(deps, order, payment);
  return { order, payment, created };
}

/**
 * The hold stays free to try another provider while no payment session exists
 * (the first provider could not be reached): the pending order and its payment
 * move to the provider now asked for. Once a session exists, the order keeps
 * its provider, and a checkout answers it as it is.
 */
async function switchProvider(deps: CheckoutDeps, order: OrderRow, to: PaymentProviderName): Promise<{ order: OrderRow; payment: PaymentRow }> {
  const provider = providerOrRefusal(deps.providers, to);
  const refusal = provider.refusal?.(order.amount, order.currency) ?? null;
  if (refusal !== null) throw new OrderError(422, 'provider_unavailable', refusal);
  const raced = new Error('a session was opened meanwhile');
  try {
    await inTransaction(deps.db, async (tx) => {
      // Both rows or neither: a session opened (or a payment taken) meanwhile keeps the order where it is.
      if (!(await switchPaymentProvider(tx, order.id, to))) throw raced;
    });
  } catch (error) {
    if (error !== raced) throw error;
  }
  const fresh = await selectOrder(deps.db, order.id);
  const payment = await selectPaymentOfOrder(deps.db, order.id);
  if (fresh === null || payment === null) throw new Error(`order ${order.id} vanished`);
  return { order: fresh, payment };
}

/**
 * The order, its lines and its payment, priced by money/pricing.ts (per
 * ticket, line by line; the amount is the sum of the lines' paid prices), in
 * one transaction with the promo code's use when the buyer typed one
 * (promo.ts: the code's row is locked, so the cap holds under parallel
 * checkouts). A code found used up is tried once more after the uses of
 * lapsed holds went back. Null when a concurrent checkout of the same hold won.
 */
async function insertPricedOrder(deps: CheckoutDeps, input: CheckoutInput, eventId: string, holds: HoldView[], provider: PaymentProvider): Promise<OrderRow | null> {
  const first = holds[0]!;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await inTransaction(deps.db, async (tx) => {
        const promo = input.promoCode === undefined ? null : await claimPromo(tx, { eventId, code: input.promoCode, typeIds: holds.map((hold) => hold.typeId), now: deps.now() });
        // The fee is the payout's business (on the paid price); an order stores what is charged.
        const lines = holds.map((hold) => {
          const discount = promo !== null && discountsType(promo.row, hold.typeId) ? promo.discount : null;
          const priced = priceLine({ unitPrice: hold.price, quantity: hold.qty }, discount, 0);
          return {
            holdId: hold.holdId, typeId: hold.typeId, quantity: hold.qty, unitPrice: hold.price, unitDiscount: priced.unitDiscount,
            amount: priced.amount, holderNames: input.holderNames?.[hold.holdId] ?? null,
          };
        });
        const amount = lines.reduce((sum, line) => sum + line.amount, 0);
        const refusal = promo === null ? null : provider.refusal?.(amount, first.currency) ?? null;
        if (refusal !== null) throw new OrderError(422, 'provider_unavailable', refusal);
        const inserted = await insertOrder(tx, {
          eventId, buyerId: input.buyerId, holdId: first.holdId, typeId: first.typeId, quantity: first.qty,
          unitPrice: first.price, unitDiscount: lines[0]!.unitDiscount, promoCode: promo?.row.code ?? null, amount,
          currency: first.currency, provider: input.provider, locale: input.locale,
        });
        // A concurrent checkout of the same hold won: answer its order (this transaction claims nothing).
        if (inserted === null) return null;
        if (!(await insertOrderLines(tx, inserted.id, lines))) throw inAnotherOrder();
        if (promo !== null) await insertRedemption(tx, inserted.id, promo.row.id);
        await insertPayment(tx, { orderId: inserted.id, provider: input.provider, amount: inserted.amount, currency: inserted.currency });
        return inserted;
      });
    } catch (error) {
      // A concurrent checkout of the same hold took the code's last use for this very hold: answer its order.
      if (error instanceof OrderError && error.code.startsWith('promo_') && (await selectOrderOfHold(deps.db, first.holdId)) !== null) return null;
      if (!(error instanceof OrderError) || error.code !== 'promo_used_up' || attempt > 1 || input.promoCode === undefined) throw error;
      const row = await selectPromoCode(deps.db, eventId, input.promoCode);
      if (row === null || (await releaseLapsedClaims(deps, row.id)) === 0) throw error;
    }
  }
}

/** One hold of the checkout, still held by its buyer; refuses otherwise. */
async function heldOf(deps: CheckoutDeps, eventId: string, holdId: string, buyerId: string): Promise<HoldView> {
  if (eventIdOfHold(holdId) !== eventId) throw new OrderError(422, 'basket_mixed_events', 'Every hold of a basket must be of the same event; check them out apart.');
  const outcome = await new EngineVerbs(deps.engine).getHold({ eventId, holdId });
  if (!outcome.ok) throw new OrderError(0, outcome.reason, outcome.reason, outcome.reason === 'event_not_found' ? 'hold_not_found' : outcome.reason);
  const hold = outcome.hold;
  // Someone else's hold answers like a missing one, so hold ids cannot be probed.
  if (hold.buyer !== buyerId) throw new OrderError(404, 'hold_not_found', 'No such hold.', 'hold_not_found');
  if (hold.status !== 'held') throw new OrderError(0, 'hold_expired', 'hold', hold.status === 'confirmed' ? 'hold_not_found' : 'hold_expired');
  return hold;
}

const inAnotherOrder = () => new OrderError(409, 'hold_in_another_order', 'A hold of this basket is already in another order; open that order, or hold the tickets again.');

function providerOrRefusal(providers: Providers, name: PaymentProviderName) {
  try {
    return providers.get(name);
  } catch (error) {
    if (error instanceof PaymentUnavailable) throw new OrderError(422, 'provider_unavailable', error.message);
    throw error;
  }
}

async function openSession(deps: CheckoutDeps, order: OrderRow, payment: PaymentRow): Promise<PaymentRow> {
  const provider = deps.providers.get(order.provider);
  let session;
  try {
    session = await provider.createPayment({
      orderId: order.id, paymentId: payment.id, amount: order.amount, currency: order.currency,
      description: `Tickr order ${order.id}`, locale: order.locale,
    });
  } catch (error) {
    if (error instanceof PaymentUnavailable) throw new OrderError(422, 'provider_unavailable', error.message);
    if (error instanceof ProviderError) {
      deps.log('warn', `checkout of order ${order.id}: ${error.message}`);
      throw new OrderError(502, 'provider_error', 'The payment provider did not answer as expected; retry the checkout in a moment (it is safe to repeat).');
    }
    throw error;
  }
  await setPaymentSession(deps.db, payment.id, order.provider, session);
  // Redirect providers are asked again later: the buyer may pay and never come back to the return URL.
  if (provider.status !== undefined) await schedulePaymentPoll(deps.jobs, payment.id, 1, deps.now());
  const fresh = await selectPaymentOfOrder(deps.db, order.id);
  return fresh!;
}
