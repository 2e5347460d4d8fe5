import { fail, type RequestEvent } from '@sveltejs/kit';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/** The refund form action shared by the order page and my tickets: the edge checks the policy and says why not. */
export async function refundAction(event: RequestEvent) {
  const form = await event.request.formData();
  const orderId = String(form.get('orderId') ?? '');
  const t = translator(event.locals.locale);
  try {
    await edge(event).refund(orderId);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return fail(e.status === 0 ? 503 : e.status, { orderId, reason: e.sentence(t) });
  }
  return { orderId, refunded: true };
}
