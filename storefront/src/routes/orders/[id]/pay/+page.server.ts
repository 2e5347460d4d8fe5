import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { stripePublishableKey } from '$lib/server/providers';

/** Stripe's Payment Element for a pending order; anything else goes to the order page. */
export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  try {
    const order = await edge(event).order(params.id);
    const publishableKey = stripePublishableKey();
    const clientSecret = order.payment?.clientSecret ?? null;
    if (order.provider !== 'stripe' || order.status !== 'pending' || clientSecret === null || publishableKey === null) redirect(303, `/orders/${order.id}`);
    return { order, clientSecret, publishableKey };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(translator(locals.locale)));
    throw e;
  }
};
