-- The Feeds schema on PostgreSQL as SQLite has it after its migration 0005, plus the change counters SQLite keeps in
-- memory: here every process that shares the database reads them. Times are bigint unix milliseconds, as in SQLite.

-- Sources: one row per configured source, holding its polling state.
CREATE TABLE sources (
    id                   text PRIMARY KEY,
    url                  text NOT NULL,
    etag                 text,
    last_modified        text,
    last_attempt_at      bigint,
    last_success_at      bigint,
    last_outcome         text,
    last_error           text,
    last_error_category  text,
    last_http_status     bigint,
    consecutive_failures bigint NOT NULL DEFAULT 0,
    next_due_at          bigint,           -- when the schedule polls next
    retry_not_before     bigint,           -- backoff or Retry-After: no poll before this
    feed_title           text,
    feed_link            text,
    feed_language        text,
    moved_to             text,             -- the URL polled since a 301/308 was seen on two consecutive polls
    redirect_candidate   text,             -- a 301/308 target seen on the last poll, awaiting confirmation
    gone_since           bigint,           -- the first 410 Gone; the source is then polled daily
    backoff_level        bigint NOT NULL DEFAULT 0,
    poll_interval_ms     bigint,
    feed_min_interval_ms bigint,
    rhythm_since         bigint,
    rhythm_items         bigint,
    items_left_out       bigint NOT NULL DEFAULT 0,
    items_version        bigint NOT NULL DEFAULT 0   -- grows with every commit that changes the source's items
);

-- Items: identity is (source_id, item_key); content_hash decides whether a re-poll changes a row. Ids grow in the
-- order rows are stored, which orders items of the same published time.
CREATE TABLE items (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id         text NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    item_key          text NOT NULL,
    content_hash      text NOT NULL,
    guid              text,
    title             text NOT NULL,
    link              text,
    summary_html      text,
    summary_text      text,
    content_html      text,
    authors_json      text NOT NULL,
    categories_json   text NOT NULL,
    enclosures_json   text NOT NULL,
    image_url         text,
    reading_minutes   bigint NOT NULL,
    published_at      bigint NOT NULL,     -- the first-seen time when the feed gives no date
    date_is_estimated bigint NOT NULL,     -- 1 when published_at is the first-seen time
    updated_at        bigint NOT NULL,
    first_seen_at     bigint NOT NULL,
    last_changed_at   bigint NOT NULL,
    link_key          text,
    headline_key      text,
    UNIQUE (source_id, item_key)
);

CREATE INDEX items_by_source_and_date ON items (source_id, published_at DESC, id DESC);
CREATE INDEX items_by_link_key ON items (link_key) WHERE link_key IS NOT NULL;
CREATE INDEX items_by_headline_key ON items (headline_key, published_at);

-- A pruned item leaves its key and content hash behind, so a feed that still carries it does not bring it back.
CREATE TABLE pruned_items (
    source_id    text NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    item_key     text NOT NULL,
    content_hash text NOT NULL,
    pruned_at    bigint NOT NULL,
    PRIMARY KEY (source_id, item_key)
);

CREATE INDEX pruned_items_by_time ON pruned_items (pruned_at);

-- One row: items_version grows with every commit that changes any source's items (what cached pages key on),
-- polls_saved with every saved poll (what the status view keys on). Updated in the committing transaction, so a
-- reader that sees a new number sees the data behind it.
CREATE TABLE store_versions (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    items_version bigint NOT NULL,
    polls_saved   bigint NOT NULL
);

INSERT INTO store_versions (items_version, polls_saved) VALUES (0, 0);
