import type { ContactBody, NotifyChoice } from './api';

/**
 * The phone and notice choice of a sign-up or account form, as the edge takes
 * them (#14). An empty phone field is "no phone" at sign-up and "remove it"
 * on the account page; the edge checks and normalises the number.
 */
export function contactFromForm(form: FormData, opts: { emptyPhoneRemoves?: boolean } = {}): ContactBody {
  const phone = String(form.get('phone') ?? '').trim();
  const notifyRaw = String(form.get('notify') ?? 'email');
  const notify: NotifyChoice = notifyRaw === 'sms' || notifyRaw === 'both' ? notifyRaw : 'email';
  const body: ContactBody = { notify };
  if (phone !== '') body.phone = phone;
  else if (opts.emptyPhoneRemoves && form.has('phone')) body.phone = null;
  return body;
}
