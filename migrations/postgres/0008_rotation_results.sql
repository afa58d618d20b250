-- Idempotent rotation no longer derives the new token from the master key:
-- the new token is random, and its plaintext is kept sealed (AES-256-GCM
-- under a sub-key of the master key) so that a retry by the same
-- credential gets it back. Rows live at most 24 hours (`expires_at`); the
-- server deletes them on access and in its hourly sweep.
--
-- Rows from before this migration have no sealed result and no credential:
-- a retry with their key is refused (409) until they expire, 24 hours
-- after `created_at`.
-- Keep in step with ../sqlite/0008_rotation_results.sql.

ALTER TABLE token_rotations ADD COLUMN credential_id UUID;
ALTER TABLE token_rotations ADD COLUMN sealed_token BYTEA;
ALTER TABLE token_rotations ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX token_rotations_expires_at ON token_rotations (expires_at);
