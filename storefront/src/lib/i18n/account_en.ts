/**
 * English words of the pages behind emailed links (#11): verify an email, set
 * the password of a staff invite; and the refusals of the drops' anti-hoarding rules.
 */
export const accountEn = {
  'account.verifyTitle': 'Verify your email',
  'account.verifyIntro': 'Confirm that this email is yours. Some drops sell only to accounts with a verified email.',
  'account.verifySubmit': 'Confirm my email',
  'account.verified': 'Your email is verified. You can hold tickets on drops that ask for it.',
  'account.verifyRequestIntro': 'We send a link to the email of your account; open it within 24 hours.',
  'account.verifyRequest': 'Send me a link',
  'account.verifySent': 'Link sent. Check your inbox (and the spam folder).',
  'account.alreadyVerified': 'Your email is verified already.',
  'account.setPasswordTitle': 'Choose your password',
  'account.setPasswordIntro': 'You were invited to scan tickets at the door. Choose a password to create your staff account.',
  'account.setPasswordSubmit': 'Create my account',
  'sale.holdRequires': 'Who may hold tickets',
  'sale.holdRequiresAccount': 'Any signed-in account',
  'sale.holdRequiresVerifiedEmail': 'Accounts with a verified email',
  'sale.holdsPerAddressMax': 'Tickets one connection may hold at once',
  'sale.holdsPerAddressMaxHint': 'Leave empty for no cap. Mobile carriers put many buyers behind one address: a low cap refuses real fans.',
  'sale.problemAddressMax': 'The per-connection cap must be a whole number of at least 1, or empty.',
  'error.token_invalid': 'This link is not valid; copy the whole link from the email, or ask for a new one.',
  'error.token_expired': 'This link has expired; ask for a new one.',
  'error.token_used': 'This link was used already; it works once.',
  'error.invite_withdrawn': 'The organizer withdrew this invite; ask them to invite you again.',
  'error.verification_required': 'This drop sells only to accounts with a verified email: verify yours at /verify-email, then try again.',
  'error.address_limit_reached': 'Your connection already holds as many tickets of this drop as the organizer allows at once; finish or release those holds first.',
  'error.too_many_requests': 'Too many links asked for; use the latest one, or try again later.',
} as const;
