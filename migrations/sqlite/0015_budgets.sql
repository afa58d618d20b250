-- Budgets (docs/spend.md): what LLM calls cost is counted exactly, and
-- gateways learn model prices from the config feed.
-- Keep in step with ../postgres/0015_budgets.sql.

-- For a budget, `used` is whole micro-dollars and `used_pico_rest` the
-- rest below a micro-dollar in pico-dollars (10^-12 USD, 0 to 999999), so
-- used * 10^6 + used_pico_rest is exactly what the calls cost. Calls of
-- models without a price count nothing toward a budget, but are counted
-- in `unpriced_calls` so reports can say so. Both stay 0 for other kinds.
ALTER TABLE quota_usage ADD COLUMN used_pico_rest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quota_usage ADD COLUMN unpriced_calls INTEGER NOT NULL DEFAULT 0;

-- A price change is announced on the change log (entity_type `price`,
-- the model's name). As in 0014, SQLite cannot change a CHECK constraint
-- in place, so the log is copied; `seq` continues from the same value.
CREATE TABLE config_changes_0015 (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('token', 'route', 'secret', 'quota', 'price')),
    entity_id   TEXT NOT NULL
);
INSERT INTO config_changes_0015 (seq, at, entity_type, entity_id)
    SELECT seq, at, entity_type, entity_id FROM config_changes;
DROP TABLE config_changes;
ALTER TABLE config_changes_0015 RENAME TO config_changes;
