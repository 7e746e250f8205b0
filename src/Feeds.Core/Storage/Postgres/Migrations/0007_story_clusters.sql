-- Stories across sources (issue 16), as SQLite's migration 0009: each item belongs to a story, named by the id of its
-- first member and never renumbered; story_terms is the index a poll finds near-duplicate reports through.
ALTER TABLE items ADD COLUMN story_id bigint;
ALTER TABLE items ADD COLUMN story_terms text;

-- Items stored before this migration keep the stories the exact rules gave them (SameStory.IsCertain).
UPDATE items SET story_id = least(
    id,
    coalesce((SELECT min(o.id) FROM items o WHERE o.link_key = items.link_key), id),
    coalesce((SELECT min(o.id) FROM items o WHERE o.headline_key = items.headline_key AND o.source_id <> items.source_id
              AND o.published_at BETWEEN items.published_at - 172800000 AND items.published_at + 172800000), id));

CREATE INDEX items_by_story ON items (story_id, published_at, id);

CREATE TABLE story_terms (
    term         text NOT NULL,
    published_at bigint NOT NULL,          -- the item's: a poll compares only within SameStory.Window
    item_id      bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (term, published_at, item_id)
);

-- Retention deletes items by id: the cascade finds their terms through this index.
CREATE INDEX story_terms_by_item ON story_terms (item_id);
