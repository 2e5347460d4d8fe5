import { z } from 'zod';
import type { Config } from '../../../engine/src/config.ts';
import { selectAccount, updateContact, type Account } from '../../../engine/src/db/accounts.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import { defaultPhoneRegion, normalisePhone } from '../../../engine/src/sms/phone.ts';
import type { NotifyChoice } from '../../../engine/src/sms/notify.ts';
import { requireRole } from '../auth/guard.ts';
import { roles } from '../auth/tokens.ts';
import { HttpError } from '../http/errors.ts';
import type { Router } from '../http/route.ts';
import { contactFields, parseBody, signupSchema } from '../validation.ts';
import { locales } from '../../../engine/src/mail/templates.ts';
import { updateProfile } from '../../../engine/src/db/account_self.ts';
import { accountView } from './account_links.ts';

/**
 * An account's phone number and how it is told about its orders (#14): set at
 * sign-up (edge/src/routes/auth.ts) or later with PATCH /api/account. Phone
 * numbers are stored in E.164; a national number is read in the account's
 * country (TN when it has none). Choosing SMS needs a phone, and a deployment
 * that can send SMS (SNS, or development's outbox). The same route sets the
 * account's name and language (#15; null: each request's language).
 */

export const contactSchema = z.strictObject({
  ...contactFields,
  name: signupSchema.shape.name.optional(),
  locale: z.union([z.enum(locales), z.null()], { error: `locale must be one of ${locales.join(', ')}, or null for the language of each request` }).optional(),
}).refine((c) => Object.values(c).some((v) => v !== undefined), {
  error: 'give at least one of phone, country, notify, name, locale',
});

export type ContactInput = { phone?: string | null | undefined; country?: string | null | undefined; notify?: NotifyChoice | undefined };
export type Contact = { phone: string | null; country: string | null; notify: NotifyChoice };

/**
 * The account's contact after `input`, checked: the phone read in the
 * country (the new one if given), SMS only with a phone and where SMS can be
 * sent. Throws the HttpError that says what to fix.
 */
export function resolveContact(input: ContactInput, current: Contact, smsAvailable: boolean): Contact {
  const country = input.country === undefined ? current.country : input.country;
  let phone = current.phone;
  if (input.phone === null) phone = null;
  else if (input.phone !== undefined) {
    const parsed = normalisePhone(input.phone, (country as Parameters<typeof normalisePhone>[1] | null) ?? defaultPhoneRegion);
    if (!parsed.ok) throw new HttpError(400, 'invalid_phone', parsed.message, { field: 'phone' });
    phone = parsed.e164;
  }
  const notify = input.notify ?? current.notify;
  if (notify !== 'email' && input.notify !== undefined && !smsAvailable) {
    throw new HttpError(422, 'sms_unavailable', 'SMS notices are not offered here: this deployment has no SMS provider. Choose notify "email".', { field: 'notify' });
  }
  if (notify !== 'email' && phone === null) {
    const message = input.phone === null
      ? `You get your notices by ${notify === 'sms' ? 'SMS' : 'email and SMS'}: set notify to "email" in the same request to remove your phone.`
      : `notify "${notify}" needs a phone: give phone too (a mobile number such as "20 123 456" or "+216 20 123 456"), or choose notify "email".`;
    throw new HttpError(400, 'phone_required', message, { field: 'phone' });
  }
  return { phone, country, notify };
}

/** What the API shows of an account, with whether SMS may be chosen here. */
export function accountWithOptions(a: Account, config: Pick<Config, 'smsAvailable'>) {
  return { ...accountView(a), smsAvailable: config.smsAvailable };
}

const checkViolation = '23514';

export function mountAccountContact(router: Router, { db, config }: { db: Db; config: Config }): void {
  router.route('patch', '/api/account', async (ctx) => {
    const claims = requireRole(ctx, ...roles);
    const input = parseBody(contactSchema, ctx.body);
    const account = await selectAccount(db, claims.sub);
    if (account === null) throw new HttpError(401, 'unauthenticated', 'Your account no longer exists; sign in again.');
    const next = resolveContact(input, account, config.smsAvailable);
    let updated: Account | null;
    try {
      if (input.name !== undefined || input.locale !== undefined) {
        await updateProfile(db, account.id, { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.locale !== undefined ? { locale: input.locale } : {}) });
      }
      updated = await updateContact(db, account.id, next);
    } catch (error) {
      // Another request removed the phone between the read and this write: the database's check caught it.
      if ((error as { code?: string }).code !== checkViolation) throw error;
      throw new HttpError(409, 'contact_changed', 'Your phone or notice choice changed meanwhile; reload your account and try again.');
    }
    if (updated === null) throw new HttpError(401, 'unauthenticated', 'Your account no longer exists; sign in again.');
    return { status: 200, body: accountWithOptions(updated, config) };
  }, { body: true });
}
