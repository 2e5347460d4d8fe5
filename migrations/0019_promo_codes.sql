-- Promo codes (#15): an event's codes, a percent or an amount off each ticket,
-- for one ticket type or all, with a cap on uses and a validity window.

CREATE TABLE promo_codes (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id    uuid NOT NULL REFERENCES events (id),
  -- Kept in capitals: codes are case-insensitive, and unique per event.
  code        text NOT NULL CHECK (code ~ '^[A-Z0-9_-]{3,32}$'),
  -- Exactly one of the two (engine/src/money/pricing.ts has the rounding rule).
  percent_off integer CHECK (percent_off BETWEEN 1 AND 100),
  amount_off  bigint CHECK (amount_off >= 1),
  -- NULL: every ticket type of the event.
  type_id     uuid REFERENCES ticket_types (id),
  -- NULL: no cap.
  max_uses    integer CHECK (max_uses >= 1),
  starts_at   timestamptz,
  ends_at     timestamptz,
  disabled_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, code),
  CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
  CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
);

-- One use of a code by one order. A use counts against the cap while
-- released_at is NULL; it is released when the order's hold lapsed before any
-- payment succeeded (engine/src/orders/promo.ts), and claimed again, within
-- the cap, if a payment arrives after all.
CREATE TABLE promo_redemptions (
  order_id      uuid PRIMARY KEY REFERENCES orders (id),
  promo_code_id uuid NOT NULL REFERENCES promo_codes (id),
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  released_at   timestamptz
);
CREATE INDEX promo_redemptions_live_idx ON promo_redemptions (promo_code_id) WHERE released_at IS NULL;

-- What the order was charged: unit_price stays the list price, unit_discount
-- is taken off each ticket, and amount = (unit_price - unit_discount) * quantity.
ALTER TABLE orders
  ADD COLUMN unit_discount bigint NOT NULL DEFAULT 0,
  ADD COLUMN promo_code    text,
  ADD CONSTRAINT orders_unit_discount CHECK (unit_discount BETWEEN 0 AND unit_price);
