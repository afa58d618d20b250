-- Gateways: their credentials, the change log they follow, and the usage
-- events they record. Keep in step with ../sqlite/0002_gateways_and_usage.sql.

-- Gateways' credentials (tkg_...). Only the SHA-256 is stored.
CREATE TABLE gateway_keys (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_by   UUID,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_seen_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX gateway_keys_name_live ON gateway_keys (name) WHERE revoked_at IS NULL;

-- Every change that affects what gateways enforce, written in the same
-- transaction as the change. Writers serialise on an advisory lock, so `seq`
-- order is commit order and a reader that saw `seq` N has seen everything
-- before it. Gateways follow it; the KV sync drains it.
CREATE TABLE config_changes (
    seq         BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('token', 'route', 'secret')),
    entity_id   TEXT NOT NULL
);

-- One row per proxied request, idempotent on the gateway-generated id.
CREATE TABLE usage_events (
    id                  UUID PRIMARY KEY,
    at                  TIMESTAMPTZ NOT NULL,
    received_at         TIMESTAMPTZ NOT NULL,
    gateway_key_id      UUID,
    token_id            UUID,
    route_id            UUID,
    method              TEXT NOT NULL,
    status              INTEGER NOT NULL,
    latency_ms          DOUBLE PRECISION NOT NULL,
    upstream_latency_ms DOUBLE PRECISION,
    bytes_in            BIGINT NOT NULL,
    bytes_out           BIGINT NOT NULL,
    client_ip           TEXT,
    user_agent          TEXT,
    error_code          TEXT
);
CREATE INDEX usage_events_at ON usage_events (at);
CREATE INDEX usage_events_token_at ON usage_events (token_id, at);
CREATE INDEX usage_events_route_at ON usage_events (route_id, at);
