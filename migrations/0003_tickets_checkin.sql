-- Ticket secrets, email outbox, check-in.

-- One Ed25519 key pair per event. The private key is stored only sealed under
-- the server key (engine/src/tickets/keys.ts): a copy of the database alone
-- cannot mint tickets.
CREATE TABLE event_keys (
  event_id            uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  -- Raw 32 bytes, base64url: what scanners download.
  public_key          text NOT NULL,
  sealed_private_key  text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tickets
  -- Goes up on every reissue; only the secret of the current version admits.
  ADD COLUMN version          integer NOT NULL DEFAULT 0 CHECK (version BETWEEN 0 AND 255),
  -- The signed TK1: text. Ed25519 is deterministic, so storing it changes nothing
  -- an attacker with the database could not already read from the order page.
  ADD COLUMN secret           text,
  ADD COLUMN secret_issued_at timestamptz,
  ADD COLUMN holder_name      text,
  ADD COLUMN revoked_at       timestamptz,
  ADD COLUMN revoked_reason   text,
  ADD COLUMN used_at          timestamptz,
  ADD COLUMN used_list_id     uuid,
  ADD COLUMN used_gate        text,
  ADD COLUMN used_device      text;
-- The revocation list: refunded tickets and reissued ones (version > 0).
CREATE INDEX tickets_revocations_idx ON tickets (event_id) WHERE status = 'revoked' OR version > 0;
CREATE INDEX tickets_holder_idx ON tickets (event_id, lower(holder_name));

-- Every email goes through here first, in the transaction that causes it;
-- email-send then delivers it (SES, or the dev outbox).
CREATE TABLE email_outbox (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Idempotency key of the cause (e.g. order id + template): queued once.
  key                 text NOT NULL UNIQUE,
  to_address          text NOT NULL,
  template            text NOT NULL CHECK (template IN ('order_confirmation', 'refund_notice', 'event_reminder')),
  locale              text NOT NULL,
  data                jsonb NOT NULL,
  subject             text NOT NULL,
  body_text           text NOT NULL,
  body_html           text NOT NULL,
  status              text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'outbox', 'failed')),
  attempts            integer NOT NULL DEFAULT 0,
  last_error          text,
  last_attempt_at     timestamptz,
  provider_message_id text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  sent_at             timestamptz
);
CREATE INDEX email_outbox_created_idx ON email_outbox (created_at DESC);

-- Check-in lists: one per gate, or per ticket type. Empty type_ids: every type.
CREATE TABLE checkin_lists (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name        text NOT NULL,
  type_ids    uuid[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, name)
);

-- Staff accounts an organizer assigned to one event.
CREATE TABLE event_staff (
  event_id     uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  assigned_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, account_id)
);
CREATE INDEX event_staff_account_idx ON event_staff (account_id);

-- Every scan, online or synced from an offline scanner, with what it answered.
CREATE TABLE checkin_scans (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  ticket_id   uuid,
  list_id     uuid REFERENCES checkin_lists (id) ON DELETE SET NULL,
  gate        text NOT NULL,
  device      text NOT NULL,
  staff_id    uuid REFERENCES accounts (id),
  scanned_at  timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  offline     boolean NOT NULL,
  outcome     text NOT NULL
);
CREATE INDEX checkin_scans_event_idx ON checkin_scans (event_id, scanned_at);
-- A scanner that syncs the same offline scan twice records it once.
CREATE UNIQUE INDEX checkin_scans_offline_key ON checkin_scans (ticket_id, device, scanned_at) WHERE offline;

-- The same ticket admitted at two gates (or by two devices): reported, never dropped.
CREATE TABLE checkin_conflicts (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id       uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  ticket_id      uuid NOT NULL,
  first_at       timestamptz,
  first_gate     text,
  first_device   text,
  second_scan_id uuid NOT NULL REFERENCES checkin_scans (id) ON DELETE CASCADE,
  detected_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkin_conflicts_event_idx ON checkin_conflicts (event_id, detected_at);
