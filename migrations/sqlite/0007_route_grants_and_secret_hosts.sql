-- Least privilege for routes and upstream secrets. Keep in step with
-- ../postgres/0007_route_grants_and_secret_hosts.sql.

-- Which teams may use a route: every team (all_teams), or the teams listed
-- in route_grants. Routes that exist before this migration stay usable by
-- every team, as they were.
ALTER TABLE routes ADD COLUMN all_teams INTEGER NOT NULL DEFAULT 0;
UPDATE routes SET all_teams = 1;

CREATE TABLE route_grants (
    route_id   BLOB NOT NULL REFERENCES routes (id) ON DELETE CASCADE,
    team_id    BLOB NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    granted_by BLOB,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (route_id, team_id)
);
CREATE INDEX route_grants_team ON route_grants (team_id);

-- Which addresses gateways may connect to for the route: `public` only,
-- also `private` ones (approved by a system admin), or also cloud
-- `metadata` services. Existing routes are classified by the server on its
-- first start after this migration (see `upgrade_0007` in repo.rs).
ALTER TABLE routes ADD COLUMN upstream_access TEXT NOT NULL DEFAULT 'public'
    CHECK (upstream_access IN ('public', 'private', 'metadata'));

-- The host patterns (JSON list) a secret may be sent to. Existing secrets
-- are bound to the hosts of the routes that use them on the server's first
-- start after this migration.
ALTER TABLE secrets ADD COLUMN hosts TEXT NOT NULL DEFAULT '[]';
