-- Signed webhooks: who is told about what (`webhooks`), and a durable
-- outbox of deliveries (`webhook_deliveries`) that the delivery worker
-- drains with retries, so a restart loses nothing. See docs/webhooks.md.
-- Keep in step with ../postgres/0013_webhooks.sql.

CREATE TABLE webhooks (
    id               BLOB PRIMARY KEY,
    url              TEXT NOT NULL,
    -- JSON array of event names.
    events           TEXT NOT NULL,
    -- The signing secret, AES-256-GCM under the master key (bound to the
    -- webhook's id), shown once when the webhook is added.
    secret           BLOB NOT NULL,
    -- Approved by a global admin for private, loopback or link-local
    -- receivers (`--private-receiver`).
    private_receiver INTEGER NOT NULL DEFAULT 0,
    created_by       BLOB,
    created_at       TEXT NOT NULL
);

-- One row per event per webhook. UNIQUE (webhook_id, dedup_key) makes each
-- event fire once however often the scan that finds it runs.
CREATE TABLE webhook_deliveries (
    id              BLOB PRIMARY KEY,
    webhook_id      BLOB NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    dedup_key       TEXT NOT NULL,
    -- The exact JSON body sent (and signed).
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    -- Claimed by a worker until then; a worker that dies mid-attempt
    -- leaves it to expire, and the attempt runs again.
    lease_until     TEXT,
    last_error      TEXT,
    last_status     INTEGER,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT,
    CONSTRAINT webhook_deliveries_dedup UNIQUE (webhook_id, dedup_key)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- `route update --alert-error-rate 0.2`: `route.error_rate` fires when the
-- 5xx share of a window is above it. NULL: no alert.
ALTER TABLE routes ADD COLUMN alert_error_rate REAL;
