-- Issue #13: a succeeded payment is its own outbox entry. The pay statement no
-- longer writes a pg-boss `payment-confirmed` job row a payment; a sweeper
-- (engine/src/orders/payment_sweep.ts) claims succeeded payments not yet swept
-- in sets, issues their tickets in its own transaction (or hands a payment
-- that needs more, a late payment or a basket, to the `payment-confirmed`
-- queue) and marks them swept in that same transaction.
ALTER TABLE payments ADD COLUMN swept_at timestamptz;

-- Payments that succeeded before this migration have their job already.
UPDATE payments SET swept_at = COALESCE(captured_at, now()) WHERE status IN ('succeeded', 'refunded');

-- The sweeper's queue: small (only payments waiting to be swept), in the order they succeeded.
CREATE INDEX payments_unswept_idx ON payments (captured_at) WHERE status = 'succeeded' AND swept_at IS NULL;
