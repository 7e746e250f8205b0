-- Pictures of the last day (issue 15): each source's polls by outcome and its new items, per UTC hour, counted in the
-- transaction that saves the poll, as on SQLite (migration 0008 there). The retention pass deletes hours older than
-- IActivityStore.KeptFor (about two days). hour_start is the hour's start in unix milliseconds.
CREATE TABLE poll_activity (
    source_id    text   NOT NULL,
    hour_start   bigint NOT NULL,
    updated      bigint NOT NULL DEFAULT 0,
    not_modified bigint NOT NULL DEFAULT 0,
    failed       bigint NOT NULL DEFAULT 0,
    new_items    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, hour_start)
);
CREATE INDEX poll_activity_by_hour ON poll_activity (hour_start);
