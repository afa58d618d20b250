-- An event may stand for several requests: gateways count requests refused
-- without a valid token per client address, reason and minute instead of
-- sending one event each (see gateway/core/src/usage/denials.rs). Rollups
-- add `requests`, not 1, per event.
-- Keep in step with ../postgres/0006_usage_event_counts.sql.

ALTER TABLE usage_events ADD COLUMN requests INTEGER NOT NULL DEFAULT 1;
