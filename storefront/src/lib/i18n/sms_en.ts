/** English words of the phone number and notice choice (#14): sign-up and the account page. */
export const smsEn = {
  'contact.phone': 'Mobile number (optional)',
  'contact.phoneHint': 'For tickets by SMS. A Tunisian number as "20 123 456", any other with its country code ("+33 6 12 34 56 78").',
  'contact.country': 'Country of the number',
  'contact.notify': 'Send my tickets and notices by',
  'contact.notifyEmail': 'Email',
  'contact.notifySms': 'SMS',
  'contact.notifyBoth': 'Email and SMS',
  'contact.smsOff': 'Tickets by SMS are not available here; they come by email.',
  'contact.smsNote': 'The SMS carries the event, its date and a link to your tickets page, never the ticket itself.',
  'contact.title': 'Your account',
  'contact.save': 'Save',
  'contact.saved': 'Saved.',
  'nav.account': 'Account',
} as const;
