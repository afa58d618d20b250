-- The quota counts the config feed has not announced yet (published by
-- `publish_held_quotas` each second): few at any time, so a partial index
-- finds them without reading every period's row.
CREATE INDEX quota_usage_unpublished ON quota_usage (subject_id) WHERE used <> published_used;
