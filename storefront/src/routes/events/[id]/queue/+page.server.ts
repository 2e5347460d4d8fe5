import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { env } from '$env/dynamic/private';
import { ApiError, type JoinedView } from '$lib/api';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { admissionCookie, admissionEndsCookie, keepTicket, keptTicket } from '$lib/server/admission';

/**
 * Joining is idempotent at the edge (one place per account per drop), so a
 * reload joins again and gets the same place back: nothing to remember here.
 */
export const load: PageServerLoad = async (event) => {
  const { locals, params, url } = event;
  if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const t = translator(locals.locale);
  const api = edge(event);
  let drop;
  try {
    drop = await api.event(params.id);
  } catch (e) {
    if (e instanceof ApiError) error(e.status === 0 ? 503 : e.status, e.sentence(t));
    throw e;
  }
  // Already admitted (a reload after the move): straight to the tickets.
  if (event.cookies.get(admissionCookie(params.id))) redirect(303, `/events/${params.id}`);
  let joined: (JoinedView & { joinedAt: number }) | null = null;
  let reason: string | null = null;
  let code: string | null = null;
  let pow: { bits: number } | null = null;
  const kept = keptTicket(event.cookies, params.id, locals.account.id);
  if (locals.account.role !== 'participant') reason = t('event.participantsOnly');
  else if (kept !== null && kept.place !== null) {
    // A place from an earlier join (maybe paid for with proof of work): only the status is new.
    const queue = await api.queueStatus(params.id).catch(() => null);
    if (queue !== null) joined = { ...kept, eventId: params.id, queue };
  }
  if (joined === null && reason === null) {
    try {
      const fresh = await api.joinQueue(params.id);
      joined = { ...fresh, joinedAt: keepTicket(event.cookies, params.id, locals.account.id, fresh).joinedAt };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'queue_off') redirect(303, `/events/${params.id}`);
      if (e.code === 'pow_required' && typeof e.detail.bits === 'number') pow = { bits: e.detail.bits };
      else {
        reason = e.sentence(t);
        code = e.code;
      }
    }
  }
  return {
    event: drop,
    joined,
    reason,
    code,
    pow,
    // The browser opens the WebSocket on the edge's own port, on the host name it used for the page.
    wsUrl: env.TICKR_PUBLIC_WS_URL || null,
    edgePort: Number(env.TICKR_EDGE_PORT || 3000),
  };
};

export const actions: Actions = {
  /** A join paid for with proof of work, solved by the page. */
  join: async (event) => {
    const { locals, params, request, url } = event;
    if (!locals.account) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
    const form = await request.formData();
    const pow = { issuedAt: Number(form.get('issuedAt')), nonce: String(form.get('nonce') ?? '') };
    try {
      keepTicket(event.cookies, params.id, locals.account.id, await edge(event).joinQueue(params.id, { pow }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { code: e.code, reason: e.sentence(translator(locals.locale)) });
    }
    redirect(303, url.pathname);
  },
  /** The head reached this place: trade the queue ticket for an admission token, kept in an httpOnly cookie for the hold. */
  admit: async (event) => {
    const form = await event.request.formData();
    const queueTicket = String(form.get('queueTicket') ?? '');
    try {
      const admission = await edge(event).admission(event.params.id, queueTicket);
      const maxAge = Math.max(1, Math.floor((Date.parse(admission.expiresAt) - Date.now()) / 1000));
      event.cookies.set(admissionCookie(event.params.id), admission.admissionToken, { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge });
      event.cookies.set(admissionEndsCookie(event.params.id), String(Date.parse(admission.expiresAt)), { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { code: e.code, reason: e.sentence(translator(event.locals.locale)) });
    }
    redirect(303, `/events/${event.params.id}?admitted=1`);
  },
};
