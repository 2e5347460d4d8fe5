import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/** The simulated provider's payment page: what a card form would decide, as two buttons. */
export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  try {
    const session = await edge(event).simulatedSession(params.session);
    // Paid already (a second tab, the back button): the order tells the rest.
    if (session.status !== 'pending' && session.orderStatus !== 'pending') redirect(303, `/orders/${session.orderId}`);
    return { session };
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(translator(locals.locale)));
    throw e;
  }
};

async function decide(event: RequestEvent, outcome: 'pay' | 'decline') {
  let orderId: string;
  try {
    orderId = (await edge(event).simulatedOutcome(event.params.session, outcome)).orderId;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
  }
  redirect(303, `/orders/${orderId}`);
}

export const actions: Actions = {
  pay: (event) => decide(event, 'pay'),
  decline: (event) => decide(event, 'decline'),
};
