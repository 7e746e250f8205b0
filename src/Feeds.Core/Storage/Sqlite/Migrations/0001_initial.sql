-- Sources: one row per configured source, holding its polling state.
CREATE TABLE sources (
    id                   TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    etag                 TEXT,
    last_modified        TEXT,
    last_attempt_at      INTEGER,          -- unix ms
    last_success_at      INTEGER,
    last_outcome         TEXT,             -- 'updated' | 'not-modified' | 'failed'
    last_error           TEXT,
    last_error_category  TEXT,
    last_http_status     INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_due_at          INTEGER,          -- when the schedule polls next
    retry_not_before     INTEGER,          -- backoff or Retry-After: no poll before this
    feed_title           TEXT,
    feed_link            TEXT
) STRICT;

-- Items: identity is (source_id, item_key); content_hash decides whether a re-poll changes a row.
CREATE TABLE items (
    id              INTEGER PRIMARY KEY,
    source_id       TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    item_key        TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    guid            TEXT,
    title           TEXT NOT NULL,
    link            TEXT,
    summary_html    TEXT,
    summary_text    TEXT,
    content_html    TEXT,
    authors_json    TEXT NOT NULL,
    categories_json TEXT NOT NULL,
    enclosures_json TEXT NOT NULL,
    image_url       TEXT,
    reading_minutes INTEGER NOT NULL,
    published_at    INTEGER NOT NULL,      -- unix ms; the first-seen time when the feed gives no date
    date_is_estimated INTEGER NOT NULL,    -- 1 when published_at is the first-seen time
    updated_at      INTEGER NOT NULL,
    first_seen_at   INTEGER NOT NULL,
    last_changed_at INTEGER NOT NULL,
    UNIQUE (source_id, item_key)
) STRICT;

CREATE INDEX items_by_source_and_date ON items (source_id, published_at DESC, id DESC);
