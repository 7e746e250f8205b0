-- The due queue (issue 17): the single node's schedule reads the sources that are due from this index, earliest first,
-- and the earliest due time to wake at, each one range scan; sources without a due time (removed from the config) are
-- left out of it.
CREATE INDEX sources_due ON sources (next_due_at, id) WHERE next_due_at IS NOT NULL;
