-- Accounts (#15): password reset by email, email change with confirmation,
-- the account's language, and deletion that erases personal data.

-- The language of the account's emails and SMS ('en', 'fr', 'ar'); NULL: the
-- language of the request that causes the message (English when none).
ALTER TABLE accounts ADD COLUMN locale text CHECK (locale IN ('en', 'fr', 'ar'));

-- reset_password: `email` is the account's email when the link was asked for
-- (a link sent to an address the account no longer has opens nothing).
-- change_email: `email` is the NEW address, which the link proves.
ALTER TABLE action_tokens DROP CONSTRAINT action_tokens_purpose_check;
ALTER TABLE action_tokens ADD CONSTRAINT action_tokens_purpose_check
  CHECK (purpose IN ('verify_email', 'set_password', 'reset_password', 'change_email'));

ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_template_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_template_check
  CHECK (template IN ('order_confirmation', 'refund_notice', 'event_reminder', 'verify_email', 'staff_added', 'staff_invite',
                      'reset_password', 'email_change', 'email_changed'));
