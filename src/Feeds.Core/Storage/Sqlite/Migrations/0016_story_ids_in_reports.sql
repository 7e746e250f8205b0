-- An item's story is kept in story_reports alone (issue 16): placing a report that joined a story also wrote the
-- story's id into its wide items row, which rewrote the whole row and its entry in items_by_story in the poll's
-- transaction. Readers of an item's story join story_reports: coalesce(story_reports.story_id, items.id), an item
-- with no report being a story of its own, as one with no story id was.

-- Every item has its report from migration 0015 and placement on; one stored by a build that placed nothing gets one
-- now, with the story it had.
INSERT INTO story_reports (item_id, source_id, published_at, story_id, link_key, headline_key)
SELECT id, source_id, published_at, coalesce(story_id, id), link_key, headline_key FROM items
WHERE NOT EXISTS (SELECT 1 FROM story_reports r WHERE r.item_id = items.id);

-- A story's members, in order (story pages and feeds, a section's story lines).
CREATE INDEX story_reports_by_story ON story_reports (story_id, published_at, item_id);

DROP INDEX items_by_story;
ALTER TABLE items DROP COLUMN story_id;
