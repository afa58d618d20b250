-- Gateways: their credentials, the change log they follow, and the usage
-- events they record. Keep in step with ../postgres/0002_gateways_and_usage.sql.

-- Gateways' credentials (tkg_...). Only the SHA-256 is stored.
CREATE TABLE gateway_keys (
    id           BLOB PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_by   BLOB,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_seen_at TEXT
);
CREATE UNIQUE INDEX gateway_keys_name_live ON gateway_keys (name) WHERE revoked_at IS NULL;

-- Every change that affects what gateways enforce, written in the same
-- transaction as the change. Writers serialise (BEGIN IMMEDIATE), so `seq`
-- order is commit order and a reader that saw `seq` N has seen everything
-- before it. Gateways follow it; the KV sync drains it.
CREATE TABLE config_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('token', 'route', 'secret')),
    entity_id   TEXT NOT NULL
);

-- One row per proxied request, idempotent on the gateway-generated id.
CREATE TABLE usage_events (
    id                  BLOB PRIMARY KEY,
    at                  TEXT NOT NULL,
    received_at         TEXT NOT NULL,
    gateway_key_id      BLOB,
    token_id            BLOB,
    route_id            BLOB,
    method              TEXT NOT NULL,
    status              INTEGER NOT NULL,
    latency_ms          REAL NOT NULL,
    upstream_latency_ms REAL,
    bytes_in            INTEGER NOT NULL,
    bytes_out           INTEGER NOT NULL,
    client_ip           TEXT,
    user_agent          TEXT,
    error_code          TEXT
);
CREATE INDEX usage_events_at ON usage_events (at);
CREATE INDEX usage_events_token_at ON usage_events (token_id, at);
CREATE INDEX usage_events_route_at ON usage_events (route_id, at);
