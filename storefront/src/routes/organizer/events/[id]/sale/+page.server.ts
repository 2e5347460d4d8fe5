import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { translator } from '$lib/i18n';
import { zonedInput } from '$lib/organizer/form';
import { edge } from '$lib/server/edge';

export const load: PageServerLoad = async (event) => {
  const api = edge(event);
  const [settings, queue] = await Promise.all([
    api.queueSettings(event.params.id).catch(() => null),
    api.queueStatus(event.params.id).catch(() => null),
  ]);
  return { settings, queue };
};

type Patch = Parameters<ReturnType<typeof edge>['patchQueueSettings']>[1];

/** The launch form → the queue's drop settings (PATCH semantics: everything the form shows is sent). */
function settingsPatch(form: FormData, zone: string): { ok: true; patch: Patch } | { ok: false; problem: 'sale.problemDate' | 'sale.problemRate' | 'sale.problemLimit' | 'sale.problemAddressMax' } {
  // Typed in the event's zone, like every time of the organizer's forms.
  const saleStartsAt = zonedInput(form.get('saleStartsAt'), zone);
  const waitingRoomOpensAt = zonedInput(form.get('waitingRoomOpensAt'), zone);
  if (saleStartsAt === undefined || waitingRoomOpensAt === undefined) return { ok: false, problem: 'sale.problemDate' };
  let rate: number | 'auto' = 'auto';
  if (form.get('rateMode') === 'fixed') {
    rate = Number(form.get('rate'));
    if (!Number.isInteger(rate) || rate < 1) return { ok: false, problem: 'sale.problemRate' };
  }
  const limit = Number(form.get('perBuyerLimit'));
  if (!Number.isInteger(limit) || limit < 1) return { ok: false, problem: 'sale.problemLimit' };
  // Empty: no per-address cap (the default; carriers put many buyers behind one address).
  const addressMaxText = String(form.get('holdsPerAddressMax') ?? '').trim();
  const addressMax = addressMaxText === '' ? null : Number(addressMaxText);
  if (addressMax !== null && (!Number.isInteger(addressMax) || addressMax < 1)) return { ok: false, problem: 'sale.problemAddressMax' };
  return {
    ok: true,
    patch: {
      queueEnabled: form.get('queueEnabled') === 'on',
      saleStartsAt,
      waitingRoomOpensAt: form.get('queueEnabled') === 'on' ? waitingRoomOpensAt : null,
      admissionRatePerMinute: rate,
      perBuyerLimit: limit,
      holdRequires: form.get('holdRequires') === 'verified_email' ? 'verified_email' : 'account',
      holdsPerAddressMax: addressMax,
    },
  };
}

async function patch(event: Parameters<Actions[string]>[0], body: Patch, done: 'saved' | 'paused' | 'resumed') {
  try {
    await edge(event).patchQueueSettings(event.params.id, body);
    return { done };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
  }
}

export const actions: Actions = {
  save: async (event) => {
    let zone: string;
    try {
      zone = (await edge(event).event(event.params.id)).timeZone;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(translator(event.locals.locale)) });
    }
    const made = settingsPatch(await event.request.formData(), zone);
    if (!made.ok) return fail(400, { reason: translator(event.locals.locale)(made.problem) });
    return patch(event, made.patch, 'saved');
  },
  pause: (event) => patch(event, { paused: true }, 'paused'),
  resume: (event) => patch(event, { paused: false }, 'resumed'),
};
