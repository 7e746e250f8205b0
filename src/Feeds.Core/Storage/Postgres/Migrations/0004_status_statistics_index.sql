-- Status that scales (issue 17): the per-source item statistics of /status can be read from the index alone once it
-- carries first_seen_at, as on SQLite (migration 0006 there). Paging still uses its (source_id, published_at, id) prefix.
DROP INDEX items_by_source_and_date;
CREATE INDEX items_by_source_and_date ON items (source_id, published_at DESC, id DESC) INCLUDE (first_seen_at);
