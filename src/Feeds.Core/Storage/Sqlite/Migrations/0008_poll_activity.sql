-- Pictures of the last day (issue 15): each source's polls by outcome and its new items, per UTC hour, counted in the
-- transaction that saves the poll. The retention pass deletes hours older than IActivityStore.KeptFor (about two days),
-- so the table holds at most ~50 rows per source. hour_start is the hour's start in unix milliseconds.
CREATE TABLE poll_activity (
    source_id    TEXT    NOT NULL,
    hour_start   INTEGER NOT NULL,
    updated      INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    new_items    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, hour_start)
) WITHOUT ROWID;
-- The retention pass and the sections' pictures read by hour, across sources.
CREATE INDEX poll_activity_by_hour ON poll_activity (hour_start);
