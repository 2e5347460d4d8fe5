-- Baskets (#15): several ticket types of one event in one order, one hold per
-- type, one payment; and a name per ticket (the holder) given by the buyer.

-- Every order's lines, one per hold: a single-type order has one line, a
-- basket one per ticket type. The order's own type_id, quantity, unit_price,
-- hold_id, ticketed_hold_id and late_hold_id describe its first line (line 1),
-- so readers of single-type orders read on; `amount` is the sum of the lines.
CREATE TABLE order_lines (
  order_id         uuid NOT NULL REFERENCES orders (id),
  line             smallint NOT NULL CHECK (line >= 1),
  -- A hold is in one order at most.
  hold_id          text NOT NULL UNIQUE,
  type_id          uuid NOT NULL REFERENCES ticket_types (id),
  quantity         integer NOT NULL CHECK (quantity > 0),
  -- Minor units of the order's currency, fixed when the hold was placed.
  unit_price       bigint NOT NULL CHECK (unit_price >= 0),
  -- Taken off each ticket of this line by the order's promo code (0019); a
  -- code for one ticket type discounts its lines only. Paid: unit_price - unit_discount.
  unit_discount    bigint NOT NULL DEFAULT 0,
  -- Names the buyer gave at checkout, one per ticket, written onto the
  -- tickets when they are made; NULL: the buyer's own name.
  holder_names     text[] CHECK (cardinality(holder_names) <= quantity),
  -- As on orders: the hold that became tickets, and the one a late payment placed.
  ticketed_hold_id text,
  late_hold_id     text,
  PRIMARY KEY (order_id, line),
  CHECK (unit_discount BETWEEN 0 AND unit_price)
);

INSERT INTO order_lines (order_id, line, hold_id, type_id, quantity, unit_price, ticketed_hold_id, late_hold_id)
SELECT id, 1, hold_id, type_id, quantity, unit_price, ticketed_hold_id, late_hold_id FROM orders;

-- A database that had promo codes (0019) before this file: line 1 takes its order's discount.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'unit_discount') THEN
    UPDATE order_lines l SET unit_discount = o.unit_discount FROM orders o WHERE o.id = l.order_id;
  END IF;
END $$;
