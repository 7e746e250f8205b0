using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Feeds.Core.Normalization;
using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="IPollStore"/> on PostgreSQL: a poll is one transaction, an idempotent upsert keyed by (source, item key) after
/// the source's row, and the change counters raised in the same transaction. Polls of different sources commit side by
/// side; a poll waits only for a retention pass (which locks the tables it deletes from). When a save fails for a reason
/// outside the program, <see cref="WriteFaults"/> says so and the next poll that saves clears it.
/// </summary>
internal sealed class PostgresPollStore(PostgresDatabase database, WriteFaults faults, TimeProvider clock) : IPollStore
{
    public StoreFault? WriteFault => faults.Current;

    public async Task<SourceState?> GetSourceStateAsync(string sourceId, CancellationToken cancellationToken)
    {
        SourceState? state;
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<SourceRow>(new CommandDefinition(
                SourceRow.Select + " WHERE id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
            state = row?.ToState();
        }
        catch (NpgsqlException e) when (faults.Note(PostgresErrors.WriteFaultReason(e), sourceId, url: null))
        {
            throw new UnreachableException();
        }
        return faults.ShowOn(state, sourceId);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetItemHashesAsync(string sourceId, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // Pruned items count as known, so a feed that still carries them does not bring them back.
            var rows = await connection.QueryAsync<(string Key, string Hash)>(new CommandDefinition(
                """
                SELECT item_key, content_hash FROM items WHERE source_id = @sourceId
                UNION ALL
                SELECT p.item_key, p.content_hash FROM pruned_items p
                WHERE p.source_id = @sourceId AND NOT EXISTS (SELECT 1 FROM items i WHERE i.source_id = p.source_id AND i.item_key = p.item_key)
                """, new { sourceId }, cancellationToken: cancellationToken));
            return rows.ToDictionary(r => r.Key, r => r.Hash);
        }
        catch (NpgsqlException e) when (faults.Note(PostgresErrors.WriteFaultReason(e), sourceId, url: null))
        {
            throw new UnreachableException();
        }
    }

    public async Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        try
        {
            var saved = await WritePollAsync(state, items, cancellationToken);
            faults.Saved(state.SourceId);
            return saved;
        }
        catch (NpgsqlException e) when (faults.Note(PostgresErrors.WriteFaultReason(e), state.SourceId, state.Url))
        {
            // The transaction was rolled back whole: neither the items nor the validators of this poll were saved,
            // so the next poll fetches and saves them again.
            throw new UnreachableException();
        }
    }

    private async Task<SaveResult> WritePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        // After a fault, pooled connections may keep what caused it (a read-only session default): write through fresh ones.
        if (faults.Current is not null)
            database.ClearPool();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(UpsertSourceSql, SourceRow.From(state), transaction, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        int added = 0, updated = 0;
        foreach (var item in items)
        {
            // One row back when the item was inserted or changed (inserted: xmax is 0), none when its hash is unchanged.
            var inserted = await connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
                UpsertItemSql, ItemParameters(state.SourceId, item, now), transaction, cancellationToken: cancellationToken));
            if (inserted == true)
                added++;
            else if (inserted == false)
                updated++;
        }
        if (added + updated > 0)
            await connection.ExecuteAsync(new CommandDefinition("UPDATE sources SET items_version = items_version + 1 WHERE id = @SourceId",
                new { state.SourceId }, transaction, cancellationToken: cancellationToken));
        // Last, so the one row every poll updates is held only for the commit.
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE store_versions SET polls_saved = polls_saved + 1, items_version = items_version + @changed",
            new { changed = added + updated > 0 ? 1 : 0 }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        if (added + updated > 0)
            database.SourceChanged();
        return new SaveResult(added, updated);
    }

    private const string UpsertSourceSql = """
        INSERT INTO sources (id, url, etag, last_modified, last_attempt_at, last_success_at, last_outcome, last_error,
                             last_error_category, last_http_status, consecutive_failures, next_due_at, retry_not_before, feed_title, feed_link,
                             moved_to, redirect_candidate, gone_since, backoff_level, poll_interval_ms, feed_min_interval_ms,
                             rhythm_since, rhythm_items, feed_language, items_left_out)
        VALUES (@Id, @Url, @ETag, @LastModified, @LastAttemptAt, @LastSuccessAt, @LastOutcome, @LastError,
                @LastErrorCategory, @LastHttpStatus, @ConsecutiveFailures, @NextDueAt, @RetryNotBefore, @FeedTitle, @FeedLink,
                @MovedTo, @RedirectCandidate, @GoneSince, @BackoffLevel, @PollIntervalMs, @FeedMinIntervalMs,
                @RhythmSince, @RhythmItems, @FeedLanguage, @ItemsLeftOut)
        ON CONFLICT (id) DO UPDATE SET
            url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
            last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
            last_outcome = excluded.last_outcome, last_error = excluded.last_error,
            last_error_category = excluded.last_error_category, last_http_status = excluded.last_http_status,
            consecutive_failures = excluded.consecutive_failures, next_due_at = excluded.next_due_at,
            retry_not_before = excluded.retry_not_before,
            moved_to = excluded.moved_to, redirect_candidate = excluded.redirect_candidate, gone_since = excluded.gone_since,
            backoff_level = excluded.backoff_level, poll_interval_ms = excluded.poll_interval_ms,
            feed_min_interval_ms = excluded.feed_min_interval_ms, rhythm_since = excluded.rhythm_since, rhythm_items = excluded.rhythm_items,
            items_left_out = excluded.items_left_out,
            feed_title = coalesce(excluded.feed_title, sources.feed_title), feed_link = coalesce(excluded.feed_link, sources.feed_link),
            feed_language = coalesce(excluded.feed_language, sources.feed_language)
        """;

    // Touches no row when the item is unchanged (same content hash). An item whose feed gives no date keeps the
    // first-seen time it got on insert.
    private const string UpsertItemSql = """
        INSERT INTO items (source_id, item_key, content_hash, guid, title, link, summary_html, summary_text, content_html,
                           authors_json, categories_json, enclosures_json, image_url, reading_minutes,
                           published_at, date_is_estimated, updated_at, first_seen_at, last_changed_at, link_key, headline_key)
        VALUES (@SourceId, @ItemKey, @ContentHash, @Guid, @Title, @Link, @SummaryHtml, @SummaryText, @ContentHtml,
                @AuthorsJson, @CategoriesJson, @EnclosuresJson, @ImageUrl, @ReadingMinutes,
                @PublishedAt, @DateIsEstimated, @UpdatedAt, @Now, @Now, @LinkKey, @HeadlineKey)
        ON CONFLICT (source_id, item_key) DO UPDATE SET
            content_hash = excluded.content_hash, guid = excluded.guid, title = excluded.title, link = excluded.link,
            summary_html = excluded.summary_html, summary_text = excluded.summary_text, content_html = excluded.content_html,
            authors_json = excluded.authors_json, categories_json = excluded.categories_json,
            enclosures_json = excluded.enclosures_json, image_url = excluded.image_url, reading_minutes = excluded.reading_minutes,
            published_at = CASE WHEN excluded.date_is_estimated = 1 AND items.date_is_estimated = 1 THEN items.published_at ELSE excluded.published_at END,
            date_is_estimated = least(excluded.date_is_estimated, items.date_is_estimated),
            updated_at = excluded.updated_at, last_changed_at = excluded.last_changed_at,
            link_key = excluded.link_key, headline_key = excluded.headline_key
        WHERE items.content_hash <> excluded.content_hash
        RETURNING xmax = 0
        """;

    private static object ItemParameters(string sourceId, NormalizedItem item, long now) => new
    {
        SourceId = sourceId,
        ItemKey = item.Key,
        item.ContentHash,
        Guid = item.Id,
        Title = item.Title ?? item.SummaryText ?? item.Link ?? "Untitled",
        item.LinkKey,
        item.HeadlineKey,
        item.Link,
        SummaryHtml = item.Summary,
        item.SummaryText,
        ContentHtml = item.Content,
        AuthorsJson = JsonSerializer.Serialize(item.Authors),
        CategoriesJson = JsonSerializer.Serialize(item.Categories),
        EnclosuresJson = JsonSerializer.Serialize(item.Enclosures),
        ImageUrl = item.Image,
        ReadingMinutes = (long)item.ReadingMinutes,
        PublishedAt = item.Published?.ToUnixTimeMilliseconds() ?? item.Updated?.ToUnixTimeMilliseconds() ?? now,
        DateIsEstimated = item.Published is null && item.Updated is null ? 1L : 0L,
        UpdatedAt = item.Updated?.ToUnixTimeMilliseconds() ?? item.Published?.ToUnixTimeMilliseconds() ?? now,
        Now = now,
    };
}
