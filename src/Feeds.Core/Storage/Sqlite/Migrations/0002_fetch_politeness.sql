-- Polite, resilient fetching (issue 4): where a source moved, whether it is gone, its adaptive interval.
ALTER TABLE sources ADD COLUMN moved_to TEXT;                    -- the URL polled since a 301/308 was seen on two consecutive polls
ALTER TABLE sources ADD COLUMN redirect_candidate TEXT;          -- a 301/308 target seen on the last poll, awaiting confirmation
ALTER TABLE sources ADD COLUMN gone_since INTEGER;               -- unix ms of the first 410 Gone; the source is then polled daily
ALTER TABLE sources ADD COLUMN backoff_level INTEGER NOT NULL DEFAULT 0;  -- failures charged to the source (not to an outage)
ALTER TABLE sources ADD COLUMN poll_interval_ms INTEGER;         -- the interval in force at the last poll (for status)
ALTER TABLE sources ADD COLUMN feed_min_interval_ms INTEGER;     -- the longest of ttl and sy:updatePeriod/Frequency in the last body
ALTER TABLE sources ADD COLUMN rhythm_since INTEGER;             -- unix ms of the oldest item date the rhythm counts
ALTER TABLE sources ADD COLUMN rhythm_items INTEGER;             -- how many dated items the rhythm counts
