-- Staff invites, email verification and the hoarding settings of a drop (#11).

-- Set when the account proved it reads its email (a verification link, or the
-- set-password link of a staff invite). A drop may require it to hold.
ALTER TABLE accounts ADD COLUMN email_verified_at timestamptz;

-- Links sent by email. Only the SHA-256 of the token is kept, so a copy of the
-- table opens nothing; `used_at` makes a token single use (a conditional UPDATE
-- consumes it, so two clicks at once use it once).
CREATE TABLE action_tokens (
  token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'set_password')),
  -- verify_email: the account and the email it had; set_password: the invited
  -- email, for an account that does not exist yet (account_id NULL).
  account_id  uuid REFERENCES accounts (id) ON DELETE CASCADE,
  email       text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_tokens_expires_idx ON action_tokens (expires_at);

-- What the organizer asked for, whether or not the email had an account: the
-- organizer's view lists invites, so it never tells which emails exist.
-- accepted_at: the invitee acted (set a password, or opened the scanner).
CREATE TABLE staff_invites (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id     uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  email        text NOT NULL,
  name         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  accepted_at  timestamptz
);
CREATE UNIQUE INDEX staff_invites_event_email_key ON staff_invites (event_id, lower(email));
CREATE INDEX staff_invites_email_idx ON staff_invites (lower(email));

-- Hoarding: what a buyer needs to hold ('account' | 'verified_email'; text so
-- 'verified_phone' can be added), and the stock one address may hold at once
-- (NULL: no cap, the default, since carriers put many buyers behind one address).
ALTER TABLE drop_settings
  ADD COLUMN hold_requires text NOT NULL DEFAULT 'account' CHECK (hold_requires IN ('account', 'verified_email')),
  ADD COLUMN holds_per_address_max integer CHECK (holds_per_address_max >= 1);

ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_template_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_template_check
  CHECK (template IN ('order_confirmation', 'refund_notice', 'event_reminder', 'verify_email', 'staff_added', 'staff_invite'));
