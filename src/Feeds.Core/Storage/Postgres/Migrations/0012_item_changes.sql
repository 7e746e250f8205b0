-- A story's WebSub ping (issue 16), as SQLite's migration 0014: the stories whose reports a poll added or edited since the
-- ping job's last check are read in the order of (last_changed_at, id) from this index.
CREATE INDEX items_by_change ON items (last_changed_at, id);
