"""Writes a status benchmark's catalogue: a config of N sources in 10 sections whose URLs point at a closed loopback
port (polls fail at once, never waiting on a network), and, into a migrated database, each source's state (a mix of
ok, failing, gone, silent and never polled), ITEMS items per source and the last day's hourly poll counts (what the
status pictures draw), as a large catalogue's store would hold."""
import json, sqlite3, sys, time

config_path, db_path, count, items_per_source, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if db_path == "-":
    sections = [{"id": f"section-{s}", "title": f"Section {s}", "description": ""} for s in range(10)]
    sources = [{"id": f"source-{i:05d}", "title": f"Source {i}", "url": f"http://127.0.0.1:{port}/feeds/{i}.rss",
                "sections": [f"section-{i % 10}"]} for i in range(count)]
    json.dump({"sections": sections, "sources": sources,
               "fetching": {"allowPrivateNetworks": ["127.0.0.1/32"], "minHostSpacing": "0s", "perHostConcurrency": 8}},
              open(config_path, "w"))
    sys.exit(0)

now = int(time.time() * 1000)
hour, day = 3_600_000, 86_400_000
db = sqlite3.connect(db_path)
db.execute("PRAGMA synchronous=OFF")
def state(i):
    sid, url = f"source-{i:05d}", f"http://127.0.0.1:{port}/feeds/{i}.rss"
    kind = i % 20
    if kind == 0:   # failing
        return (sid, url, now - 600_000, now - day, "Failed", "connection refused", "Network", None, 3, now + hour, now + hour, None)
    if kind == 1:   # gone
        return (sid, url, now - 600_000, now - 30 * day, "Failed", "gone", "Gone", 410, 5, now + day, None, now - 20 * day)
    return (sid, url, now - 600_000, now - 600_000, "Updated", None, None, 200, 0, now + 30 * 60_000, None, None)
db.executemany("""INSERT OR REPLACE INTO sources (id, url, last_attempt_at, last_success_at, last_outcome, last_error, last_error_category,
                  last_http_status, consecutive_failures, next_due_at, retry_not_before, gone_since) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
               (state(i) for i in range(count) if i % 50 != 49))  # every 50th never polled
def items():
    for i in range(count):
        sid = f"source-{i:05d}"
        newest = now - (40 * day if i % 20 == 2 else hour)  # every 20th (from 2) has gone silent
        for k in range(items_per_source):
            published = newest - k * 6 * hour
            yield (sid, f"k{k}", "h", f"Headline {k} of {sid}", f"https://example.com/{sid}/{k}", "<p>text</p>", "text",
                   published, published, published, published)
db.executemany("""INSERT INTO items (source_id, item_key, content_hash, title, link, summary_html, summary_text, authors_json,
                  categories_json, enclosures_json, reading_minutes, published_at, date_is_estimated, updated_at, first_seen_at, last_changed_at)
                  VALUES (?,?,?,?,?,?,?,'[]','[]','[]',1,?,0,?,?,?)""", items())
def activity():
    this_hour = now - now % hour
    for i in range(count):
        if i % 50 == 49:  # never polled
            continue
        for h in range(24):
            start = this_hour - h * hour
            if i % 20 == 0 and h < 6:  # failing for the last six hours
                yield (f"source-{i:05d}", start, 0, 0, 2, 0)
            elif i % 20 == 1:  # gone: asked once a day
                if h == 20:
                    yield (f"source-{i:05d}", start, 0, 0, 1, 0)
            else:
                new = (i + h) % 7 if (i + h) % 3 == 0 else 0
                yield (f"source-{i:05d}", start, 1 if new else 0, 1 if new else 2, 0, new)
db.executemany("""INSERT OR REPLACE INTO poll_activity (source_id, hour_start, updated, not_modified, failed, new_items)
                  VALUES (?,?,?,?,?,?)""", activity())
db.commit()
print(f"{count} sources, {count * items_per_source} items written")
