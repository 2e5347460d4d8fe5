import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError, type OrderView, type PromoQuoteView, type Provider } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { paymentProviders, paymentProvidersFor } from '$lib/server/providers';

/**
 * The page of a hold, or of a basket: `/holds/<id>` or `/holds/<id>,<id>,...`
 * (one hold per ticket type, the basket's first hold first). Hold ids never
 * contain a comma.
 */
function holdIdsOf(param: string): string[] {
  return param.split(',').filter((id) => id !== '').slice(0, basketHoldsMax);
}

/** As many holds as an event has ticket types at most (the edge's ticketTypesPerEventMax). */
const basketHoldsMax = 50;

export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const t = translator(locals.locale);
  const api = edge(event);
  try {
    const holds = await Promise.all(holdIdsOf(params.id).map((id) => api.hold(id)));
    const hold = holds[0]!;
    const drop = await api.event(hold.eventId);
    const lines = holds.map((h) => ({ hold: h, type: drop.ticketTypes.find((x) => x.id === h.typeId) ?? null }));
    // A basket is one: when one of its holds has lapsed or closed, so has the basket.
    const lead = holds.find((h) => h.status !== 'held') ?? hold;
    const expiresAt = holds.reduce((at, h) => (Date.parse(h.expiresAt) < Date.parse(at) ? h.expiresAt : at), hold.expiresAt);
    return { hold: { ...lead, expiresAt }, lines, event: drop, type: lines[0]!.type, expired: false, providers: paymentProvidersFor(hold.currency) };
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'hold_expired' || e.code === 'hold_not_found')) {
      return { hold: null, lines: [], event: null, type: null, expired: true, providers: [] as Provider[] };
    }
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
};

/** Where the buyer pays for an order: our simulated page, the Stripe Payment Element page, or Clictopay's or Konnect's own page. */
function payPath(order: OrderView): string {
  if (order.status !== 'pending' && order.status !== 'failed') return `/orders/${order.id}`;
  const ref = order.payment?.providerRef;
  if (order.provider === 'simulated' && ref) return `/pay/simulated/${ref}`;
  if ((order.provider === 'clictopay' || order.provider === 'konnect') && order.payment?.redirectUrl) return order.payment.redirectUrl;
  if (order.provider === 'stripe' && order.payment?.clientSecret) return `/orders/${order.id}/pay`;
  return `/orders/${order.id}`;
}

/** The names typed per ticket (`holder:<holdId>`, one field per ticket), empty ones left out; null when none was typed. */
function holderNames(form: FormData, holdIds: string[]): Record<string, string[]> | null {
  const holders: Record<string, string[]> = {};
  for (const id of holdIds) {
    const names = form.getAll(`holder:${id}`).map((v) => String(v).trim()).filter((v) => v !== '');
    if (names.length > 0) holders[id] = names;
  }
  return Object.keys(holders).length === 0 ? null : holders;
}

/**
 * A basket's quote: each hold quoted, the discounts and amounts summed. A code
 * for one ticket type discounts that type's lines only; the others are then
 * charged their list price, and the code is refused only when no line takes it.
 */
async function basketQuote(api: ReturnType<typeof edge>, holdIds: string[], code: string): Promise<PromoQuoteView> {
  const quotes = await Promise.all(holdIds.map(async (id) => {
    try {
      return await api.promoQuote(id, code);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'promo_not_for_type' && holdIds.length > 1) {
        const hold = await api.hold(id);
        return { code, currency: hold.currency, quantity: hold.quantity, unitPrice: hold.price, unitDiscount: 0, discount: 0, amount: hold.price * hold.quantity, refused: e };
      }
      throw e;
    }
  }));
  const taken = quotes.find((q) => !('refused' in q));
  if (taken === undefined) throw (quotes[0] as { refused: ApiError }).refused;
  return {
    code: taken.code, currency: taken.currency, quantity: quotes.reduce((n, q) => n + q.quantity, 0), unitPrice: taken.unitPrice, unitDiscount: taken.unitDiscount,
    discount: quotes.reduce((n, q) => n + q.discount, 0), amount: quotes.reduce((n, q) => n + q.amount, 0),
  };
}

export const actions: Actions = {
  checkout: async (event) => {
    const form = await event.request.formData();
    const chosen = String(form.get('provider') ?? 'simulated') as Provider;
    const provider = paymentProviders().includes(chosen) ? chosen : 'simulated';
    const promoCode = String(form.get('promoCode') ?? '').trim();
    const holdIds = holdIdsOf(event.params.id);
    const holders = holderNames(form, holdIds);
    let order: OrderView;
    try {
      order = await edge(event).checkout(holdIds[0] ?? '', {
        provider, locale: event.locals.locale, ...(holdIds.length > 1 ? { basket: holdIds } : {}), ...(holders === null ? {} : { holders }),
        ...(promoCode === '' ? {} : { promoCode }),
      });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const expired = e.code === 'hold_expired' || e.code === 'hold_not_found';
      const promoProblem = e.code.startsWith('promo_');
      return fail(e.status === 0 ? 503 : e.status, { expired, reason: e.sentence(translator(event.locals.locale)), promoProblem, promoCode });
    }
    redirect(303, payPath(order));
  },
  /** The price with a promo code, before paying: a quote, nothing is claimed until the checkout. */
  promo: async (event) => {
    const form = await event.request.formData();
    const promoCode = String(form.get('promoCode') ?? '').trim();
    if (promoCode === '') return { promo: null, promoCode };
    try {
      return { promo: await basketQuote(edge(event), holdIdsOf(event.params.id), promoCode), promoCode };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const expired = e.code === 'hold_expired' || e.code === 'hold_not_found';
      return fail(e.status === 0 ? 503 : e.status, { expired, reason: e.sentence(translator(event.locals.locale)), promoProblem: true, promoCode });
    }
  },
  release: async (event) => {
    let eventId = '';
    try {
      for (const id of holdIdsOf(event.params.id)) eventId = (await edge(event).releaseHold(id)).eventId;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { expired: false, reason: e.sentence(translator(event.locals.locale)) });
    }
    redirect(303, `/events/${eventId}?released=1`);
  },
};
