-- Cold ingest and unchanged re-polls (issue 17, item 5): the fingerprint of a source's last full body, so a 200 that
-- sends the same bytes again is neither parsed nor normalized.
ALTER TABLE sources ADD COLUMN body_hash TEXT;
