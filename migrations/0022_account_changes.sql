-- The nodes read the accounts changed lately once a second (edge/src/auth/account_states.ts):
-- a range scan on updated_at, however many accounts there are.
CREATE INDEX IF NOT EXISTS accounts_updated_at ON accounts (updated_at);
