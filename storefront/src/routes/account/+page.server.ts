import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { contactFromForm } from '$lib/contact';
import { translator } from '$lib/i18n';
import { edge } from '$lib/server/edge';

/** The account page (#14): the phone number and how tickets and notices arrive. */
export const load: PageServerLoad = async (event) => {
  if (!event.locals.account) redirect(303, '/signin?next=/account');
  return { account: await edge(event).account() };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const contact = contactFromForm(form, { emptyPhoneRemoves: true });
    // Where SMS is not offered the form has no choice: keep email.
    if (!form.has('notify')) delete contact.notify;
    try {
      await edge(event).patchAccount(contact);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return fail(error.status === 0 ? 503 : error.status, { phone: contact.phone ?? '', notify: contact.notify ?? 'email', reason: error.sentence(translator(event.locals.locale)) });
    }
    return { saved: true };
  },
};
