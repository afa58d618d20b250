-- Quotas and budgets per token and per team (docs/spend.md), and what each
-- consumed per calendar period, counted as usage is ingested.
-- Keep in step with ../sqlite/0014_quotas.sql.

-- JSON array of {"kind", "amount", "period"}, at most one per kind
-- (`requests`, `llm_tokens`, `budget` in micro-dollars); NULL: none.
ALTER TABLE tokens ADD COLUMN quotas JSONB;
ALTER TABLE teams ADD COLUMN quotas JSONB;

-- One row per subject (token or team id), kind, period and period start.
-- Only subjects that have a quota of the kind are counted.
CREATE TABLE quota_usage (
    subject_id     UUID NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('requests', 'llm_tokens', 'budget')),
    period         TEXT NOT NULL CHECK (period IN ('hour', 'day', 'month')),
    period_start   TIMESTAMPTZ NOT NULL,
    used           BIGINT NOT NULL DEFAULT 0,
    -- The `used` the config feed last announced, and when: publication is
    -- throttled (see `db/queries/quotas.rs`).
    published_used BIGINT NOT NULL DEFAULT 0,
    published_at   TIMESTAMPTZ,
    PRIMARY KEY (subject_id, kind, period, period_start)
);
CREATE INDEX quota_usage_period ON quota_usage (period_start);

-- Quota state is announced on the change log (entity_type `quota`, the
-- subject's id).
ALTER TABLE config_changes DROP CONSTRAINT config_changes_entity_type_check;
ALTER TABLE config_changes ADD CONSTRAINT config_changes_entity_type_check
    CHECK (entity_type IN ('token', 'route', 'secret', 'quota'));
