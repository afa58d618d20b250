-- Budgets (docs/spend.md): what LLM calls cost is counted exactly, and
-- gateways learn model prices from the config feed.
-- Keep in step with ../sqlite/0015_budgets.sql.

-- For a budget, `used` is whole micro-dollars and `used_pico_rest` the
-- rest below a micro-dollar in pico-dollars (10^-12 USD, 0 to 999999), so
-- used * 10^6 + used_pico_rest is exactly what the calls cost. Calls of
-- models without a price count nothing toward a budget, but are counted
-- in `unpriced_calls` so reports can say so. Both stay 0 for other kinds.
ALTER TABLE quota_usage ADD COLUMN used_pico_rest BIGINT NOT NULL DEFAULT 0;
ALTER TABLE quota_usage ADD COLUMN unpriced_calls BIGINT NOT NULL DEFAULT 0;

-- A price change is announced on the change log (entity_type `price`,
-- the model's name).
ALTER TABLE config_changes DROP CONSTRAINT config_changes_entity_type_check;
ALTER TABLE config_changes ADD CONSTRAINT config_changes_entity_type_check
    CHECK (entity_type IN ('token', 'route', 'secret', 'quota', 'price'));
