import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError, type NewPromoCode } from '$lib/api';
import { translator } from '$lib/i18n';
import { toMinor, zonedInput } from '$lib/organizer/form';
import { edge } from '$lib/server/edge';

export const load: PageServerLoad = async (event) => {
  const codes = await edge(event).promoCodes(event.params.id).then((a) => a.codes).catch(() => null);
  return { codes };
};

/** The form → the API's terms: a whole percent, or an amount in the event's currency; times typed in the event's zone. */
function terms(form: FormData, currency: string, exponent: number, zone: string): { ok: true; code: NewPromoCode } | { ok: false; problem: 'promo.problemValue' | 'promo.problemDate' } {
  const value = String(form.get('value') ?? '').trim();
  const kind = form.get('kind') === 'amount' ? 'amount' : 'percent';
  const percent = Number(value);
  const amount = toMinor(value, currency, exponent);
  if (kind === 'percent' ? !Number.isInteger(percent) || percent < 1 || percent > 100 : amount === null || amount < 1) return { ok: false, problem: 'promo.problemValue' };
  const startsAt = zonedInput(form.get('startsAt'), zone);
  const endsAt = zonedInput(form.get('endsAt'), zone);
  if (startsAt === undefined || endsAt === undefined) return { ok: false, problem: 'promo.problemDate' };
  const maxText = String(form.get('maxUses') ?? '').trim();
  const typeId = String(form.get('typeId') ?? '');
  return {
    ok: true,
    code: {
      code: String(form.get('code') ?? '').trim(),
      ...(kind === 'percent' ? { percentOff: percent } : { amountOff: amount! }),
      typeId: typeId === '' ? null : typeId,
      // Left to the API to refuse with its sentence when it is not a whole number.
      maxUses: maxText === '' ? null : Number(maxText),
      startsAt,
      endsAt,
    },
  };
}

export const actions: Actions = {
  create: async (event) => {
    const form = await event.request.formData();
    const t = translator(event.locals.locale);
    const api = edge(event);
    try {
      // Inside the try: an event that is not there (or not this organizer's) is the API's 404, never a 500.
      const drop = await api.event(event.params.id);
      const read = terms(form, drop.currency, drop.exponent, drop.timeZone);
      if (!read.ok) return fail(400, { reason: t(read.problem) });
      const created = await api.createPromoCode(event.params.id, read.code);
      return { done: t('promo.created', { code: created.code }) };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(t) });
    }
  },
  disable: async (event) => {
    const form = await event.request.formData();
    const t = translator(event.locals.locale);
    try {
      const code = await edge(event).disablePromoCode(event.params.id, String(form.get('code') ?? ''));
      return { done: t('promo.disabled', { code: code.code }) };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return fail(e.status === 0 ? 503 : e.status, { reason: e.sentence(t) });
    }
  },
};
