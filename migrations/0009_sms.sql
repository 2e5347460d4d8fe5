-- Tickets by SMS (#14). An account may give a phone number (E.164, normalised
-- by the edge with libphonenumber-js) and choose how it is told about its
-- orders: email (the default), sms, or both. SMS needs a phone.
ALTER TABLE accounts
  ADD COLUMN phone   text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  -- ISO 3166-1 alpha-2: the region a national phone number is read in (TN when unset).
  ADD COLUMN country text CHECK (country ~ '^[A-Z]{2}$'),
  ADD COLUMN notify  text NOT NULL DEFAULT 'email' CHECK (notify IN ('email', 'sms', 'both')),
  ADD CONSTRAINT accounts_notify_phone_check CHECK (notify = 'email' OR phone IS NOT NULL);

-- Every SMS goes through here first, in the transaction that causes it;
-- sms-send then delivers it (SNS, or the dev outbox), as email_outbox does for email.
CREATE TABLE sms_outbox (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Idempotency key of the cause (e.g. order id + template): queued once.
  key                 text NOT NULL UNIQUE,
  to_phone            text NOT NULL CHECK (to_phone ~ '^\+[1-9][0-9]{6,14}$'),
  template            text NOT NULL CHECK (template IN ('tickets_issued', 'event_reminder', 'refund_notice')),
  locale              text NOT NULL,
  body                text NOT NULL,
  -- How the body travels: gsm7 (7-bit, 160/153 characters a segment) or ucs2 (70/67), and in how many segments.
  encoding            text NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
  segments            integer NOT NULL CHECK (segments >= 1),
  status              text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'outbox')),
  attempts            integer NOT NULL DEFAULT 0,
  last_error          text,
  last_attempt_at     timestamptz,
  provider_message_id text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  sent_at             timestamptz
);
CREATE INDEX sms_outbox_created_idx ON sms_outbox (created_at DESC);
