-- Paged lists (`GET /v1/tokens?limit=…&cursor=…`) go by keyset: tokens by
-- name, then id, after the last row of the previous page. These indexes
-- serve that order, for every team the caller reads and for one team
-- (`?team=`), so a page costs its own rows, not a sort of the whole
-- table. Teams, users and routes page by their unique names, the audit log
-- by id: those already have an index.
-- Keep in step with ../postgres/0011_paged_lists.sql.
CREATE INDEX tokens_name ON tokens (name, id);
CREATE INDEX tokens_team_name ON tokens (team_id, name, id);
