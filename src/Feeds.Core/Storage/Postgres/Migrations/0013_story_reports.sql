-- What placing a poll's items reads of each stored report (issue 16), as SQLite's migration 0015: a narrow table, so the
-- candidates a poll compares, read at random across the window, are not read from the wide items rows. Written when an
-- item is placed and when an edit changes its keys or terms (DbStoryIndex); removed with its item. story_id is the
-- item's story, its own id when it started one (items.story_id is null then).
CREATE TABLE story_reports (
    item_id      bigint PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    source_id    text NOT NULL,
    published_at bigint NOT NULL,          -- unix ms, as items.published_at
    story_id     bigint NOT NULL,
    link_key     text,
    headline_key text,
    story_terms  text                      -- Normalization/StoryTerms in its stored form; null for items stored before stories
);

-- Every stored item, so a database upgraded with items in it places new reports against them as before.
INSERT INTO story_reports (item_id, source_id, published_at, story_id, link_key, headline_key, story_terms)
SELECT id, source_id, published_at, coalesce(story_id, id), link_key, headline_key, story_terms FROM items;

-- The terms live in story_reports alone from now on.
ALTER TABLE items DROP COLUMN story_terms;
