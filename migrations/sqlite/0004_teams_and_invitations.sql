-- Teams can be deleted (kept for audit and token history), and users can be
-- invited with a one-time enrolment code. Keep in step with
-- ../postgres/0004_teams_and_invitations.sql.

ALTER TABLE teams ADD COLUMN deleted_at TEXT;
ALTER TABLE teams ADD COLUMN updated_at TEXT;

-- One-time enrolment codes (tke_...). Only the SHA-256 is stored.
CREATE TABLE invitations (
    id           BLOB PRIMARY KEY,
    email        TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    code_hash    TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    roles        TEXT NOT NULL,
    global_admin INTEGER NOT NULL DEFAULT 0,
    created_by   BLOB,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    used_at      TEXT,
    used_by      BLOB
);
