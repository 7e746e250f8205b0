-- What placing a poll's items reads of each stored report (issue 16), in a narrow table of its own: the candidates a
-- poll compares are read at random across the window, and read from the wide items rows each cost a page of its own.
-- Written when an item is placed and when an edit changes its keys or terms (DbStoryIndex); removed with its item.
-- story_id is the item's story, its own id when it started one (items.story_id is null then).
CREATE TABLE story_reports (
    item_id      INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    source_id    TEXT NOT NULL,
    published_at INTEGER NOT NULL,         -- unix ms, as items.published_at
    story_id     INTEGER NOT NULL,
    link_key     TEXT,
    headline_key TEXT,
    story_terms  TEXT                      -- Normalization/StoryTerms in its stored form; null for items stored before stories
) STRICT;

-- Every stored item, so a database upgraded with items in it places new reports against them as before.
INSERT INTO story_reports (item_id, source_id, published_at, story_id, link_key, headline_key, story_terms)
SELECT id, source_id, published_at, coalesce(story_id, id), link_key, headline_key, story_terms FROM items;

-- The terms live in story_reports alone from now on.
ALTER TABLE items DROP COLUMN story_terms;
