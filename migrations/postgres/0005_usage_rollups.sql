-- Usage rollups. Each level holds, per bucket and (team, token, route, HTTP
-- status): requests, errors, bytes, latency sum and a latency histogram, so
-- reports never scan raw events for totals, status breakdowns or
-- percentiles. A roll-up job adds newly stored events to every level,
-- following a cursor over the events' insertion order, in the same
-- transaction as it moves the cursor. Rows use the nil UUID for "no
-- team/token/route" (e.g. a request without a token).
-- Keep in step with ../sqlite/0005_usage_rollups.sql.

ALTER TABLE usage_events ADD COLUMN team_id UUID;
-- Insertion order, for the roll-up job's cursor. Ingests take turns (an
-- advisory lock), so seq order is commit order.
ALTER TABLE usage_events ADD COLUMN seq BIGSERIAL;
CREATE INDEX usage_events_seq ON usage_events (seq);

CREATE TABLE usage_minute (
    bucket       TIMESTAMPTZ NOT NULL,
    team_id      UUID NOT NULL,
    token_id     UUID NOT NULL,
    route_id     UUID NOT NULL,
    status SMALLINT NOT NULL,
    requests     BIGINT NOT NULL,
    errors       BIGINT NOT NULL,
    bytes_in     BIGINT NOT NULL,
    bytes_out    BIGINT NOT NULL,
    latency_sum  DOUBLE PRECISION NOT NULL,
    latency_hist BYTEA NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bucket, team_id, token_id, route_id, status)
);
CREATE INDEX usage_minute_token ON usage_minute (token_id, bucket);
CREATE INDEX usage_minute_route ON usage_minute (route_id, bucket);

CREATE TABLE usage_hour (LIKE usage_minute INCLUDING ALL);
CREATE INDEX usage_hour_token ON usage_hour (token_id, bucket);
CREATE INDEX usage_hour_route ON usage_hour (route_id, bucket);

CREATE TABLE usage_day (LIKE usage_minute INCLUDING ALL);
CREATE INDEX usage_day_token ON usage_day (token_id, bucket);
CREATE INDEX usage_day_route ON usage_day (route_id, bucket);
