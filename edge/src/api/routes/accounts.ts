import { z } from 'zod';
import { passwordChangeSchema, roleChangeSchema } from '../../routes/accounts.ts';
import { setPasswordSchema, verifyRequestSchema, verifySchema } from '../../routes/account_links.ts';
import { signinSchema, signupSchema } from '../../validation.ts';
import { account, accountExport, accountWithOptions, id, session } from '../answers.ts';
import { confirmSchema, deleteSchema, emailChangeSchema, resetRequestSchema, resetSchema } from '../../routes/account_self.ts';
import { contactSchema } from '../../routes/account_contact.ts';
import type { RouteDoc } from '../describe.ts';

const tag = 'Accounts';
const everyone = ['participant', 'organizer', 'staff', 'operator', 'admin'] as const;
const tooMany = (code: string) => [code];

export const accountRoutes: RouteDoc[] = [
  {
    method: 'post', pattern: '/api/auth/password-reset/request', tag, auth: ['none'], summary: 'Email me a link to choose a new password',
    description: 'The same answer, after at least the same time, whether or not the email has an account. The link works once, within an hour; a newer one voids it.',
    body: { schema: resetRequestSchema },
    answers: { 202: { description: 'Said the same way for every email.', schema: z.object({ sent: z.literal(true), message: z.string() }) } },
    errors: { 429: ['too_many_requests'], 503: ['mail_unavailable'] },
  },
  {
    method: 'post', pattern: '/api/auth/password-reset', tag, auth: ['none'], summary: 'Choose a new password with the emailed link',
    description: 'Every other session of the account ends; go on with the token answered.',
    body: { schema: resetSchema },
    answers: { 200: { description: 'Signed in with the new password.', schema: session } },
    errors: { 400: ['token_invalid'], 410: ['token_expired', 'token_used'], 422: ['weak_password'] },
  },
  {
    method: 'post', pattern: '/api/account/email', tag, auth: ['bearer'], roles: everyone, summary: 'Change my email (a link to the new address confirms it)',
    description: 'Nothing changes until the link sent to the new address is opened; the old address is told once it has.',
    body: { schema: emailChangeSchema },
    answers: { 202: { description: 'The link is on its way.', schema: z.object({ sent: z.literal(true), pendingEmail: z.string() }) } },
    errors: { 400: ['same_email'], 403: ['wrong_password'], 409: ['email_taken'], 429: ['too_many_requests'], 503: ['mail_unavailable'] },
  },
  {
    method: 'post', pattern: '/api/account/email/confirm', tag, auth: ['none'], summary: 'Open the email change link',
    body: { schema: confirmSchema },
    answers: { 200: { description: 'The account, with its new (verified) email.', schema: account } },
    errors: { 400: ['token_invalid'], 409: ['email_taken'], 410: ['token_expired', 'token_used'] },
  },
  {
    method: 'post', pattern: '/api/account/delete', tag, auth: ['bearer'], roles: everyone, summary: 'Delete my account',
    description: 'Personal data erased (name, email, phone, password), sessions ended; orders and tickets stay for the organizers\' accounts. An organizer with events, or an operator, cannot.',
    body: { schema: deleteSchema },
    answers: { 200: { description: 'Deleted.', schema: z.object({ deleted: z.literal(true), message: z.string() }) } },
    errors: { 403: ['wrong_password'], 409: ['organizer_has_events', 'operator_account'] },
  },
  {
    method: 'get', pattern: '/api/account/export', tag, auth: ['bearer'], roles: everyone, summary: 'Export my data (JSON)',
    answers: { 200: { description: 'A JSON file (Content-Disposition: attachment).', schema: accountExport, headers: { 'content-disposition': 'attachment; filename="tickr-account-<id>.json"' } } },
  },
  {
    method: 'post', pattern: '/api/auth/signup', tag, auth: ['none'], summary: 'Sign up (participant or organizer)',
    description: 'Staff are invited by an organizer and the operator is configured: neither signs up. Rate-limited per client address.',
    body: { schema: signupSchema },
    answers: { 201: { description: 'The new account and its bearer token.', schema: session } },
    errors: { 400: ['invalid_phone', 'phone_required'], 409: ['email_taken'], 422: ['role_not_allowed', 'weak_password', 'sms_unavailable'], 429: tooMany('too_many_signups'), 503: ['busy'] },
  },
  {
    method: 'post', pattern: '/api/auth/signin', tag, auth: ['none'], summary: 'Sign in',
    description: 'Wrong passwords slow down the (account, address) pair and the address, never the account alone.',
    body: { schema: signinSchema },
    answers: { 200: { description: 'The account and a fresh bearer token.', schema: session } },
    errors: { 401: ['invalid_credentials'], 429: tooMany('too_many_attempts'), 503: ['busy'] },
  },
  {
    method: 'get', pattern: '/api/auth/account', tag, auth: ['bearer'], roles: everyone, summary: 'The signed-in account',
    answers: { 200: { description: 'The account as it stands.', schema: accountWithOptions } },
    errors: { 401: ['unauthorized'] },
  },
  {
    method: 'patch', pattern: '/api/account', tag, auth: ['bearer'], roles: everyone, summary: 'Change my name, language, phone, its country, or how notices reach me',
    description: 'At least one field. SMS (`sms` or `both`) needs a phone; a national number is read in `country` (default TN). `locale` null: the language of each request.',
    body: { schema: contactSchema },
    answers: { 200: { description: 'The account as it now stands.', schema: accountWithOptions } },
    errors: { 400: ['invalid_phone', 'phone_required'], 401: ['unauthenticated'], 409: ['contact_changed'], 422: ['sms_unavailable'] },
  },
  {
    method: 'post', pattern: '/api/auth/verify-email/request', tag, auth: ['bearer'], roles: everyone, summary: 'Email me a verification link',
    body: { schema: verifyRequestSchema },
    answers: {
      200: { description: 'The email is verified already: nothing sent.', schema: z.object({ emailVerified: z.literal(true), sent: z.literal(false) }) },
      202: { description: 'A link is on its way.', schema: z.object({ emailVerified: z.literal(false), sent: z.literal(true) }) },
    },
    errors: { 401: ['unauthorized'], 429: ['too_many_requests'], 503: ['mail_unavailable'] },
  },
  {
    method: 'post', pattern: '/api/auth/verify-email', tag, auth: ['none'], summary: 'Open an email verification link',
    description: 'No sign-in: the token of the link is the proof (it may be opened on another device).',
    body: { schema: verifySchema },
    answers: { 200: { description: 'The email is verified.', schema: z.object({ emailVerified: z.literal(true) }) } },
    errors: { 400: ['token_invalid'], 410: ['token_expired', 'token_used'] },
  },
  {
    method: 'post', pattern: '/api/auth/set-password', tag, auth: ['none'], summary: 'Set the password of a staff invite (the emailed link)',
    body: { schema: setPasswordSchema },
    answers: { 201: { description: 'The new staff account, signed in.', schema: session } },
    errors: { 400: ['token_invalid'], 409: ['email_taken'], 410: ['token_expired', 'token_used', 'invite_withdrawn'], 422: ['weak_password'] },
  },
  {
    method: 'post', pattern: '/api/account/password', tag, auth: ['bearer'], roles: everyone, summary: 'Change my password',
    description: 'Every earlier token of the account, this request\'s included, is void afterwards: go on with the one answered.',
    body: { schema: passwordChangeSchema },
    answers: { 200: { description: 'The token to go on with.', schema: z.object({ token: z.string() }) } },
    errors: { 401: ['unauthenticated'], 403: ['wrong_password'], 422: ['weak_password'], 429: ['too_many_attempts'], 503: ['busy'] },
  },
  {
    method: 'patch', pattern: '/api/ops/accounts/:id', tag, auth: ['bearer'], roles: ['operator', 'admin'], summary: 'Change an account\'s role (operator)',
    params: { id: 'The account id.' }, body: { schema: roleChangeSchema },
    answers: { 200: { description: 'The account\'s new state; its older tokens carry the old role no more.', schema: z.object({ id, name: z.string(), role: account.shape.role, version: z.number().int() }) } },
    errors: { 400: ['invalid_id'], 404: ['account_not_found'] },
  },
  {
    method: 'delete', pattern: '/api/ops/accounts/:id', tag, auth: ['bearer'], roles: ['operator', 'admin'], summary: 'Delete an account (operator)',
    params: { id: 'The account id.' },
    answers: { 200: { description: 'Deleted; its tokens are void.', schema: z.object({ id, deleted: z.literal(true) }) } },
    errors: { 400: ['invalid_id'], 404: ['account_not_found'] },
  },
];
