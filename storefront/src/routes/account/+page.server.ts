import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { contactFromForm } from '$lib/contact';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';
import { clearSession, setSession } from '$lib/server/session';

/**
 * The account page: name and language, the phone number and how tickets and
 * notices arrive (#14), password, email (changed by a link to the new
 * address), email verification, export and deletion (#15). Each form is its
 * own action and says which one failed (`form.action`).
 */
export const load: PageServerLoad = async (event) => {
  if (!event.locals.account) redirect(303, '/signin?next=/account');
  return { account: await edge(event).account(), reset: event.url.searchParams.get('reset') === '1' };
};

type Event = RequestEvent;
const locales = ['en', 'fr', 'ar'] as const;

async function attempt<T extends Record<string, unknown>>(event: Event, action: string, run: () => Promise<T>, keep: Record<string, unknown> = {}) {
  try {
    return { action, ...(await run()) };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return fail(e.status === 0 ? 503 : e.status, { action, ...keep, reason: e.sentence(translator(event.locals.locale)) });
  }
}

export const actions: Actions = {
  profile: async (event) => {
    const form = await event.request.formData();
    const name = String(form.get('name') ?? '').trim();
    const raw = String(form.get('locale') ?? '');
    const locale = (locales as readonly string[]).includes(raw) ? (raw as (typeof locales)[number]) : null;
    return attempt(event, 'profile', async () => (await edge(event).patchProfile({ name, locale }), { saved: true }), { name });
  },
  contact: async (event) => {
    const form = await event.request.formData();
    const contact = contactFromForm(form, { emptyPhoneRemoves: true });
    // Where SMS is not offered the form has no choice: keep email.
    if (!form.has('notify')) delete contact.notify;
    return attempt(event, 'contact', async () => (await edge(event).patchAccount(contact), { saved: true }),
      { phone: contact.phone ?? '', notify: contact.notify ?? 'email' });
  },
  password: async (event) => {
    const form = await event.request.formData();
    return attempt(event, 'password', async () => {
      const { token } = await edge(event).changePassword({ currentPassword: String(form.get('currentPassword') ?? ''), newPassword: String(form.get('newPassword') ?? '') });
      // Every earlier token is void, this browser's included: go on with the new one.
      setSession(event.cookies, token);
      return { saved: true };
    });
  },
  email: async (event) => {
    const form = await event.request.formData();
    const newEmail = String(form.get('newEmail') ?? '').trim();
    return attempt(event, 'email', async () => {
      const sent = await edge(event).changeEmail({ newEmail, password: String(form.get('password') ?? ''), locale: event.locals.locale });
      return { pendingEmail: sent.pendingEmail };
    }, { newEmail });
  },
  delete: async (event) => {
    const form = await event.request.formData();
    const result = await attempt(event, 'delete', async () => (await edge(event).deleteAccount(String(form.get('password') ?? '')), { deleted: true }));
    if ('deleted' in result) {
      clearSession(event.cookies);
      redirect(303, '/?deleted=1');
    }
    return result;
  },
};
