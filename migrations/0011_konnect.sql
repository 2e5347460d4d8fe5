-- Konnect (e-Dinar, Tunisian cards, wallet) as a payment provider, and the
-- manual refunds it needs: its public API gives no money back, so a person
-- refunds from Konnect's dashboard and records it here (orders/manual_refund.ts).

-- The column check of 0002 lists the providers; Konnect joins them.
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_provider_check;
ALTER TABLE orders ADD CONSTRAINT orders_provider_check CHECK (provider IN ('simulated', 'stripe', 'clictopay', 'konnect'));

-- One per order whose refund a person must make. `manual_required` from the
-- refund job until an operator records it `done` (who, when, the reference of
-- the transfer); the refund job then finishes the order as after any refund.
CREATE TABLE manual_refunds (
  order_id     uuid PRIMARY KEY REFERENCES orders (id),
  payment_id   uuid NOT NULL REFERENCES payments (id),
  provider     text NOT NULL,
  provider_ref text NOT NULL,
  -- Minor units of `currency` (TND: millimes).
  amount       bigint NOT NULL CHECK (amount >= 0),
  currency     char(3) NOT NULL,
  -- What the refund job was asked: its reason and the organizer's override, carried to the job that finishes it.
  reason       text NOT NULL,
  refund_used_tickets boolean NOT NULL DEFAULT false,
  state        text NOT NULL DEFAULT 'manual_required' CHECK (state IN ('manual_required', 'done')),
  requested_at timestamptz NOT NULL DEFAULT now(),
  done_at      timestamptz,
  done_by      uuid REFERENCES accounts (id),
  reference    text,
  note         text,
  CHECK ((state = 'done') = (done_at IS NOT NULL AND done_by IS NOT NULL AND reference IS NOT NULL))
);
CREATE INDEX manual_refunds_open_idx ON manual_refunds (requested_at) WHERE state = 'manual_required';
