-- Orders and payments: a hold becomes money, then tickets (or a refund).

-- Per-event money and notification settings.
ALTER TABLE events
  ADD COLUMN refund_policy      text NOT NULL DEFAULT 'none' CHECK (refund_policy IN ('none', 'until', 'always')),
  -- With refund_policy 'until': buyers may ask for a refund until this many days before starts_at.
  ADD COLUMN refund_until_days  integer CHECK (refund_until_days >= 0),
  -- Platform fee in basis points of each ticket's price (400 = 4 %).
  ADD COLUMN platform_fee_bps   integer NOT NULL DEFAULT 400 CHECK (platform_fee_bps BETWEEN 0 AND 10000),
  -- event-reminder is scheduled this many hours before starts_at; null: no reminder.
  ADD COLUMN reminder_hours     integer DEFAULT 24 CHECK (reminder_hours BETWEEN 1 AND 720),
  ADD CONSTRAINT events_refund_until_days CHECK ((refund_policy = 'until') = (refund_until_days IS NOT NULL));

-- One order per hold. State machine (engine/src/orders/states.ts):
--   pending -> paid -> ticketed -> refunded
--   pending -> failed | expired;  paid -> refunded (late payment, stock gone)
CREATE TABLE orders (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id      uuid NOT NULL REFERENCES events (id),
  buyer_id      uuid NOT NULL REFERENCES accounts (id),
  hold_id       text NOT NULL UNIQUE,
  type_id       uuid NOT NULL REFERENCES ticket_types (id),
  quantity      integer NOT NULL CHECK (quantity > 0),
  -- Minor units of `currency`, fixed when the hold was placed.
  unit_price    bigint NOT NULL CHECK (unit_price >= 0),
  amount        bigint NOT NULL CHECK (amount >= 0),
  currency      char(3) NOT NULL,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'paid', 'ticketed', 'refunded', 'failed', 'expired')),
  provider      text NOT NULL CHECK (provider IN ('simulated', 'stripe', 'clictopay')),
  -- Language of the buyer's emails ('en', 'fr', 'ar').
  locale        text NOT NULL DEFAULT 'en',
  -- The hold that finally became tickets: differs from hold_id after a late payment re-held the stock.
  ticketed_hold_id text,
  failure       text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  paid_at       timestamptz,
  ticketed_at   timestamptz,
  refunded_at   timestamptz
);
CREATE INDEX orders_event_idx ON orders (event_id, status);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at DESC);

-- One payment attempt with a provider. `provider_ref` is the provider's id
-- (Stripe PaymentIntent, Clictopay orderId, simulated session id).
CREATE TABLE payments (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id      uuid NOT NULL REFERENCES orders (id),
  provider      text NOT NULL,
  provider_ref  text,
  status        text NOT NULL DEFAULT 'created'
                CHECK (status IN ('created', 'succeeded', 'failed', 'refunded')),
  amount        bigint NOT NULL CHECK (amount >= 0),
  currency      char(3) NOT NULL,
  -- Where the buyer goes to pay (redirect providers) or what the browser needs (Stripe client secret).
  redirect_url  text,
  client_secret text,
  refund_ref    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  captured_at   timestamptz,
  refunded_at   timestamptz,
  UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_order_idx ON payments (order_id);

-- Webhook deliveries already handled, so a redelivery changes nothing.
CREATE TABLE provider_events (
  provider    text NOT NULL,
  event_id    text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);

-- Tickets come from the journal flush of a confirmed hold; the order links them to money.
ALTER TABLE tickets ADD COLUMN order_id uuid REFERENCES orders (id);
CREATE INDEX tickets_order_idx ON tickets (order_id);
