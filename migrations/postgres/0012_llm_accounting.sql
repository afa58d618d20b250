-- LLM token accounting and prices.
-- Keep in step with ../sqlite/0012_llm_accounting.sql.

-- The LLM API a route's upstream speaks (`openai`, `anthropic`), or NULL
-- for a route that is not an LLM API. Gateways read the provider's usage
-- counts from the responses of LLM routes.
ALTER TABLE routes ADD COLUMN llm TEXT CHECK (llm IN ('openai', 'anthropic'));

-- What an LLM response reported: the model and its token counts (NULL
-- when the route is not an LLM route or the response reported none).
ALTER TABLE usage_events ADD COLUMN model TEXT;
ALTER TABLE usage_events ADD COLUMN input_tokens BIGINT;
ALTER TABLE usage_events ADD COLUMN output_tokens BIGINT;
ALTER TABLE usage_events ADD COLUMN cached_input_tokens BIGINT;

-- Token rollups, one table per level as for calls: per bucket and (team,
-- token, route, model) the calls that reported tokens and their sums. The
-- model is '' when the response named none. Added by the same roll-up job,
-- in the same transaction, from the same events.
CREATE TABLE usage_tokens_minute (
    bucket              TIMESTAMPTZ NOT NULL,
    team_id             UUID NOT NULL,
    token_id            UUID NOT NULL,
    route_id            UUID NOT NULL,
    model               TEXT NOT NULL,
    calls               BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    PRIMARY KEY (bucket, team_id, token_id, route_id, model)
);
CREATE INDEX usage_tokens_minute_token ON usage_tokens_minute (token_id, bucket);
CREATE INDEX usage_tokens_minute_route ON usage_tokens_minute (route_id, bucket);

CREATE TABLE usage_tokens_hour (
    bucket              TIMESTAMPTZ NOT NULL,
    team_id             UUID NOT NULL,
    token_id            UUID NOT NULL,
    route_id            UUID NOT NULL,
    model               TEXT NOT NULL,
    calls               BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    PRIMARY KEY (bucket, team_id, token_id, route_id, model)
);
CREATE INDEX usage_tokens_hour_token ON usage_tokens_hour (token_id, bucket);
CREATE INDEX usage_tokens_hour_route ON usage_tokens_hour (route_id, bucket);

CREATE TABLE usage_tokens_day (
    bucket              TIMESTAMPTZ NOT NULL,
    team_id             UUID NOT NULL,
    token_id            UUID NOT NULL,
    route_id            UUID NOT NULL,
    model               TEXT NOT NULL,
    calls               BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    PRIMARY KEY (bucket, team_id, token_id, route_id, model)
);
CREATE INDEX usage_tokens_day_token ON usage_tokens_day (token_id, bucket);
CREATE INDEX usage_tokens_day_route ON usage_tokens_day (route_id, bucket);

-- Model prices in micro-dollars per million tokens, with their history:
-- a price applies from `effective_from` until the model's next price, so
-- reports price each bucket at the price in force then.
CREATE TABLE model_prices (
    id             UUID PRIMARY KEY,
    model          TEXT NOT NULL,
    input_micros   BIGINT NOT NULL CHECK (input_micros >= 0),
    output_micros  BIGINT NOT NULL CHECK (output_micros >= 0),
    effective_from TIMESTAMPTZ NOT NULL,
    set_by         UUID,
    set_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (model, effective_from)
);
