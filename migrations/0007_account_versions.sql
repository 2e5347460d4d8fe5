-- An account's version, raised by a role change, a password change and a
-- deletion. Access tokens carry the version they were signed at; the edge
-- checks it (through a short cache) on every request, so a token outlives
-- none of those changes (edge/src/auth/account_states.ts).
ALTER TABLE accounts ADD COLUMN version integer NOT NULL DEFAULT 1;
-- The version at which the password was last set: tokens signed before it are void.
-- A role change raises `version` only, so the same token carries the new role.
ALTER TABLE accounts ADD COLUMN password_version integer NOT NULL DEFAULT 1;
-- Deleted accounts stay as rows: orders and tickets keep their buyer. Deletion
-- frees the email and voids the password (engine/src/db/accounts.ts).
ALTER TABLE accounts ADD COLUMN deleted_at timestamptz;
