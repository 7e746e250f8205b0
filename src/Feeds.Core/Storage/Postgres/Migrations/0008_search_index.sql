-- Search and related articles (issue 16), as SQLite's migration 0010: a full-text index of every item's title (weight A)
-- and summary (weight B). A stored generated column is computed by the statement that writes the row, so the index
-- follows the items in the poll's transaction and in retention's. The 'simple' configuration lowercases and does not
-- stem, as the feeds are in any language.
ALTER TABLE items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', coalesce(summary_text, '')), 'B')
) STORED;

CREATE INDEX items_search ON items USING gin (search_vector);
