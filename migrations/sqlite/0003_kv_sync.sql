-- Cloudflare KV sync: how far the KV copy has got, who is syncing, and
-- which token keys are believed to be in KV. See docs/kv-layout.md.
-- Keep in step with ../postgres/0003_kv_sync.sql.

-- Exactly one row.
CREATE TABLE kv_sync_state (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    -- The namespace and edge key the synced position refers to: when either
    -- changes, the next round is a full reconcile.
    namespace_id        TEXT,
    edge_key_id         TEXT,
    -- Every config_changes row up to this seq is confirmed in KV. Rows
    -- after it are pending; nothing is dropped before Cloudflare confirms.
    synced_seq          INTEGER NOT NULL DEFAULT 0,
    last_success_at     TEXT,
    last_error          TEXT,
    last_error_at       TEXT,
    -- `fatal` (authentication, permission, missing namespace: retrying
    -- cannot help), `unreachable`, `rate_limited` or `transient`.
    last_error_kind     TEXT,
    -- Start of the current run of failed attempts; NULL after a success.
    failing_since       TEXT,
    -- The lease: only the holder talks to Cloudflare. Renewed before every
    -- request; another server process takes over once it has run out.
    lease_holder        TEXT,
    lease_until         TEXT,
    -- Rotation graces that ended up to here have been written to
    -- config_changes.
    grace_checked_until TEXT,
    -- `tokenctl sync push --full`: requested by any server process, carried
    -- out by the lease holder, result kept as JSON.
    full_requested_at   TEXT,
    full_done_at        TEXT,
    full_progress_done  INTEGER NOT NULL DEFAULT 0,
    full_progress_total INTEGER NOT NULL DEFAULT 0,
    full_result         TEXT
);
INSERT INTO kv_sync_state (id) VALUES (1);

-- Token keys (`tok:<sha256>`) written to KV, or about to be: a key is
-- recorded before it is written and forgotten only after Cloudflare
-- confirmed its deletion, so the old hash of a rotated token (no longer in
-- `tokens`) is still deleted when its grace ends or the token is revoked.
CREATE TABLE kv_token_keys (
    key      TEXT PRIMARY KEY,
    token_id BLOB NOT NULL
);
CREATE INDEX kv_token_keys_token ON kv_token_keys (token_id);
