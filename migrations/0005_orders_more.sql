-- Orders, continued: the hold a late payment placed, before it is confirmed.

-- A payment that arrives after its hold expired re-holds the same tickets under
-- this hold id, recorded before it is confirmed, so a retried job confirms the
-- same hold instead of placing another (the actor may have forgotten the key).
ALTER TABLE orders ADD COLUMN late_hold_id text;

-- Payments by provider reference are found through UNIQUE (provider, provider_ref);
-- a provider's refunds and the pending payments a poller looks at need these.
CREATE INDEX payments_pending_idx ON payments (provider, created_at) WHERE status = 'created';
