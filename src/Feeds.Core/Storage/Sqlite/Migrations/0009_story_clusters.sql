-- Stories across sources (issue 16): each item belongs to a story, named by the id of its first member and never
-- renumbered. story_terms is the index a poll finds near-duplicate reports through: the weighted terms of each item's
-- headline and lede (Normalization/StoryTerms), keyed by term and published time so a poll reads only the window.
ALTER TABLE items ADD COLUMN story_id INTEGER;
ALTER TABLE items ADD COLUMN story_terms TEXT;

-- Items stored before this migration keep the stories the exact rules gave them: the same canonical link, or the same
-- folded headline from another source within 48 hours (SameStory.IsCertain). They were stored without terms, so later
-- reports meet them by those rules only.
UPDATE items SET story_id = min(
    id,
    coalesce((SELECT min(o.id) FROM items o WHERE o.link_key = items.link_key), id),
    coalesce((SELECT min(o.id) FROM items o WHERE o.headline_key = items.headline_key AND o.source_id <> items.source_id
              AND o.published_at BETWEEN items.published_at - 172800000 AND items.published_at + 172800000), id));

CREATE INDEX items_by_story ON items (story_id, published_at, id);

CREATE TABLE story_terms (
    term         TEXT NOT NULL,
    published_at INTEGER NOT NULL,         -- the item's, unix ms: a poll compares only within SameStory.Window
    item_id      INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (term, published_at, item_id)
) STRICT, WITHOUT ROWID;

-- Retention deletes items by id: the cascade finds their terms through this index.
CREATE INDEX story_terms_by_item ON story_terms (item_id);
