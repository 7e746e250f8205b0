-- Keys that find the same story from different sources (Publishing/StoryKeys), and the language a
-- source declares, for section rules and xml:lang.
ALTER TABLE items ADD COLUMN link_key TEXT;
ALTER TABLE items ADD COLUMN headline_key TEXT;
ALTER TABLE sources ADD COLUMN feed_language TEXT;

CREATE INDEX items_by_link_key ON items (link_key) WHERE link_key IS NOT NULL;
CREATE INDEX items_by_headline_key ON items (headline_key, published_at);
