-- The nodes of a cluster, each row written by its node every few seconds: what it runs, on which config (a hash of the
-- file, which should be the same on every node) and when it last checked in. /status lists them. Times are bigint unix
-- milliseconds, as everywhere in this schema.
CREATE TABLE cluster_nodes (
    id              text PRIMARY KEY,
    version         text NOT NULL,
    config_hash     text NOT NULL,
    started_at      bigint NOT NULL,
    last_checkin_at bigint NOT NULL
);
