-- Usage rollups. Each level holds, per bucket and (team, token, route, HTTP
-- status): requests, errors, bytes, latency sum and a latency histogram, so
-- reports never scan raw events for totals, status breakdowns or
-- percentiles. A roll-up job adds newly stored events to every level,
-- following a cursor over the events' insertion order, in the same
-- transaction as it moves the cursor. Rows use the nil UUID for "no
-- team/token/route" (e.g. a request without a token).
-- Keep in step with ../postgres/0005_usage_rollups.sql.

ALTER TABLE usage_events ADD COLUMN team_id BLOB;
-- The roll-up job's cursor follows rowid, SQLite's insertion order.

CREATE TABLE usage_minute (
    bucket       TEXT NOT NULL,
    team_id      BLOB NOT NULL,
    token_id     BLOB NOT NULL,
    route_id     BLOB NOT NULL,
    status INTEGER NOT NULL,
    requests     INTEGER NOT NULL,
    errors       INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    latency_sum  REAL NOT NULL,
    latency_hist BLOB NOT NULL,
    last_at      TEXT NOT NULL,
    PRIMARY KEY (bucket, team_id, token_id, route_id, status)
);
CREATE INDEX usage_minute_token ON usage_minute (token_id, bucket);
CREATE INDEX usage_minute_route ON usage_minute (route_id, bucket);

CREATE TABLE usage_hour (
    bucket       TEXT NOT NULL,
    team_id      BLOB NOT NULL,
    token_id     BLOB NOT NULL,
    route_id     BLOB NOT NULL,
    status INTEGER NOT NULL,
    requests     INTEGER NOT NULL,
    errors       INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    latency_sum  REAL NOT NULL,
    latency_hist BLOB NOT NULL,
    last_at      TEXT NOT NULL,
    PRIMARY KEY (bucket, team_id, token_id, route_id, status)
);
CREATE INDEX usage_hour_token ON usage_hour (token_id, bucket);
CREATE INDEX usage_hour_route ON usage_hour (route_id, bucket);

CREATE TABLE usage_day (
    bucket       TEXT NOT NULL,
    team_id      BLOB NOT NULL,
    token_id     BLOB NOT NULL,
    route_id     BLOB NOT NULL,
    status INTEGER NOT NULL,
    requests     INTEGER NOT NULL,
    errors       INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    latency_sum  REAL NOT NULL,
    latency_hist BLOB NOT NULL,
    last_at      TEXT NOT NULL,
    PRIMARY KEY (bucket, team_id, token_id, route_id, status)
);
CREATE INDEX usage_day_token ON usage_day (token_id, bucket);
CREATE INDEX usage_day_route ON usage_day (route_id, bucket);
