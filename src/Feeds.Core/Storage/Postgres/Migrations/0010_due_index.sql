-- The due queue (issue 17), as SQLite's migration 0012: the sources that are due, earliest first, and the earliest due
-- time, each one range scan of this index.
CREATE INDEX sources_due ON sources (next_due_at, id) WHERE next_due_at IS NOT NULL;
