-- Search and related articles (issue 16): a full-text index of every item's title and summary, FTS5 over the items
-- table itself (external content, https://sqlite.org/fts5.html#external_content_tables), so the text is stored once.
-- unicode61 folds case and diacritics ("Café" finds "cafe"); no stemming, as the feeds are in any language.
CREATE VIRTUAL TABLE items_search USING fts5(
    title, summary_text,
    content = 'items', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The index follows the items in the statement that changes them, so in the poll's transaction and in retention's:
-- a rolled-back poll leaves no entry behind, a pruned item none either (a deleted source's cascade fires these too).
-- The delete must give the values the row was indexed with, which only a trigger sees for certain.
CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_search (rowid, title, summary_text) VALUES (new.id, new.title, new.summary_text);
END;

CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_search (items_search, rowid, title, summary_text) VALUES ('delete', old.id, old.title, old.summary_text);
END;

CREATE TRIGGER items_search_update AFTER UPDATE OF title, summary_text ON items BEGIN
    INSERT INTO items_search (items_search, rowid, title, summary_text) VALUES ('delete', old.id, old.title, old.summary_text);
    INSERT INTO items_search (rowid, title, summary_text) VALUES (new.id, new.title, new.summary_text);
END;

-- The items stored before this migration.
INSERT INTO items_search (items_search) VALUES ('rebuild');
