-- As SQLite's migration 0013: the fingerprint of a source's last full body, so a 200 that sends the same bytes again
-- is neither parsed nor normalized (issue 17, item 5).
ALTER TABLE sources ADD COLUMN body_hash TEXT;
