-- Quotas and budgets per token and per team (docs/spend.md), and what each
-- consumed per calendar period, counted as usage is ingested.
-- Keep in step with ../postgres/0014_quotas.sql.

-- JSON array of {"kind", "amount", "period"}, at most one per kind
-- (`requests`, `llm_tokens`, `budget` in micro-dollars); NULL: none.
ALTER TABLE tokens ADD COLUMN quotas TEXT;
ALTER TABLE teams ADD COLUMN quotas TEXT;

-- One row per subject (token or team id), kind, period and period start.
-- Only subjects that have a quota of the kind are counted.
CREATE TABLE quota_usage (
    subject_id     BLOB NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('requests', 'llm_tokens', 'budget')),
    period         TEXT NOT NULL CHECK (period IN ('hour', 'day', 'month')),
    period_start   TEXT NOT NULL,
    used           INTEGER NOT NULL DEFAULT 0,
    -- The `used` the config feed last announced, and when: publication is
    -- throttled (see `db/queries/quotas.rs`).
    published_used INTEGER NOT NULL DEFAULT 0,
    published_at   TEXT,
    PRIMARY KEY (subject_id, kind, period, period_start)
);
CREATE INDEX quota_usage_period ON quota_usage (period_start);

-- Quota state is announced on the change log (entity_type `quota`, the
-- subject's id). SQLite cannot change a CHECK constraint in place, so the
-- log is copied into a table that allows it; no row of it was ever deleted,
-- so the AUTOINCREMENT counter continues from the same `seq`.
CREATE TABLE config_changes_0014 (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('token', 'route', 'secret', 'quota')),
    entity_id   TEXT NOT NULL
);
INSERT INTO config_changes_0014 (seq, at, entity_type, entity_id)
    SELECT seq, at, entity_type, entity_id FROM config_changes;
DROP TABLE config_changes;
ALTER TABLE config_changes_0014 RENAME TO config_changes;
