import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError, type OrderView, type Provider } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { paymentProviders, paymentProvidersFor } from '$lib/server/providers';

export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const t = translator(locals.locale);
  const api = edge(event);
  try {
    const hold = await api.hold(params.id);
    const drop = await api.event(hold.eventId);
    const type = drop.ticketTypes.find((x) => x.id === hold.typeId) ?? null;
    return { hold, event: drop, type, expired: false, providers: paymentProvidersFor(hold.currency) };
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'hold_expired' || e.code === 'hold_not_found')) {
      return { hold: null, event: null, type: null, expired: true, providers: [] as Provider[] };
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

export const actions: Actions = {
  checkout: async (event) => {
    const form = await event.request.formData();
    const chosen = String(form.get('provider') ?? 'simulated') as Provider;
    const provider = paymentProviders().includes(chosen) ? chosen : 'simulated';
    const promoCode = String(form.get('promoCode') ?? '').trim();
    let order: OrderView;
    try {
      order = await edge(event).checkout(event.params.id, { provider, locale: event.locals.locale, ...(promoCode === '' ? {} : { promoCode }) });
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
      return { promo: await edge(event).promoQuote(event.params.id, promoCode), promoCode };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const expired = e.code === 'hold_expired' || e.code === 'hold_not_found';
      return fail(e.status === 0 ? 503 : e.status, { expired, reason: e.sentence(translator(event.locals.locale)), promoProblem: true, promoCode });
    }
  },
  release: async (event) => {
    let eventId: string;
    try {
      eventId = (await edge(event).releaseHold(event.params.id)).eventId;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { expired: false, reason: e.sentence(translator(event.locals.locale)) });
    }
    redirect(303, `/events/${eventId}?released=1`);
  },
};
