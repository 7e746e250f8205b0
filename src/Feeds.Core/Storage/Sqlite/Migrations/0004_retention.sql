-- Retention (issue 6): a pruned item leaves its key and content hash behind, so the next poll of a feed that
-- still carries it recognizes it as known and does not store it again. Tombstones are forgotten after a while.
CREATE TABLE pruned_items (
    source_id    TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    item_key     TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    pruned_at    INTEGER NOT NULL,         -- unix ms
    PRIMARY KEY (source_id, item_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX pruned_items_by_time ON pruned_items (pruned_at);
