-- Teams can be deleted (kept for audit and token history), and users can be
-- invited with a one-time enrolment code. Keep in step with
-- ../sqlite/0004_teams_and_invitations.sql.

ALTER TABLE teams ADD COLUMN deleted_at TIMESTAMPTZ;
ALTER TABLE teams ADD COLUMN updated_at TIMESTAMPTZ;

-- One-time enrolment codes (tke_...). Only the SHA-256 is stored.
CREATE TABLE invitations (
    id           UUID PRIMARY KEY,
    email        TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    code_hash    TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    roles        JSONB NOT NULL,
    global_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   UUID,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    used_at      TIMESTAMPTZ,
    used_by      UUID
);
