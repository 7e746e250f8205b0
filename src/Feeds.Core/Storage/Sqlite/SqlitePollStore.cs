using Dapper;
using Feeds.Core.Normalization;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="IPollStore"/> on SQLite: a poll is one transaction, an idempotent upsert keyed by (source, item key) after the
/// source's row, then the new items placed in their stories (<see cref="DbStoryIndex"/>), in the writer's turn. The reads, and the noting of a save's fault, are <see cref="DbPollStore"/>'s.
/// </summary>
internal sealed class SqlitePollStore(SqliteDatabase database, DbStoryIndex stories, WriteFaults faults, TimeProvider clock)
    : DbPollStore(database, faults)
{
    public override async Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        using var turn = await database.TakeWriterTurnAsync(cancellationToken);
        return await SaveNotingFaultsAsync(state, () => WritePollAsync(state, items, cancellationToken));
    }

    private async Task<SaveResult> WritePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        // After a fault, pooled connections may hold the file as it was then (opened read-only, say): write through fresh ones.
        if (AfterFault)
            SqliteConnection.ClearAllPools();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SourceRow.Upsert, SourceRow.From(state), transaction, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        // In chunks: one bound parameter per key would pass SQLite's limit (32,766) with a large feed.
        foreach (var keys in items.Select(i => i.Key).Distinct(StringComparer.Ordinal).Chunk(SqliteDatabase.ParameterChunk))
        {
            existing.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT item_key FROM items WHERE source_id = @SourceId AND item_key IN @keys",
                new { state.SourceId, keys }, transaction, cancellationToken: cancellationToken)));
        }
        int added = 0, updated = 0;
        var newItems = new List<NewItem>();
        foreach (var item in items)
        {
            var row = ItemRow.From(state.SourceId, item, now);
            var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                UpsertItemSql, row, transaction, cancellationToken: cancellationToken));
            if (id is not { } written)
                continue;
            if (existing.Contains(item.Key))
            {
                updated++;
                continue;
            }
            added++;
            // A key given twice in one feed is stored once: the second write changes the row the first added.
            if (existing.Add(item.Key))
                newItems.Add(new NewItem(written, state.SourceId, row.PublishedAt, item));
        }
        await stories.PlaceAsync(connection, transaction, newItems, cancellationToken);
        await DbActivityStore.CountPollAsync(connection, transaction, state, added, DateTimeOffset.FromUnixTimeMilliseconds(now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (added + updated > 0)
            database.SourceChanged(state.SourceId);
        return new SaveResult(added, updated);
    }

    // Touches no row when the item is unchanged (same content hash), and then returns none; else the row's id. An item
    // whose feed gives no date keeps the first-seen time it got on insert.
    private const string UpsertItemSql = """
        INSERT INTO items (source_id, item_key, content_hash, guid, title, link, summary_html, summary_text, content_html,
                           authors_json, categories_json, enclosures_json, image_url, reading_minutes,
                           published_at, date_is_estimated, updated_at, first_seen_at, last_changed_at, link_key, headline_key, story_terms)
        VALUES (@SourceId, @ItemKey, @ContentHash, @Guid, @Title, @Link, @SummaryHtml, @SummaryText, @ContentHtml,
                @AuthorsJson, @CategoriesJson, @EnclosuresJson, @ImageUrl, @ReadingMinutes,
                @PublishedAt, @DateIsEstimated, @UpdatedAt, @FirstSeenAt, @FirstSeenAt, @LinkKey, @HeadlineKey, @StoryTerms)
        ON CONFLICT (source_id, item_key) DO UPDATE SET
            content_hash = excluded.content_hash, guid = excluded.guid, title = excluded.title, link = excluded.link,
            summary_html = excluded.summary_html, summary_text = excluded.summary_text, content_html = excluded.content_html,
            authors_json = excluded.authors_json, categories_json = excluded.categories_json,
            enclosures_json = excluded.enclosures_json, image_url = excluded.image_url, reading_minutes = excluded.reading_minutes,
            published_at = CASE WHEN excluded.date_is_estimated = 1 AND items.date_is_estimated = 1 THEN items.published_at ELSE excluded.published_at END,
            date_is_estimated = excluded.date_is_estimated AND items.date_is_estimated,
            updated_at = excluded.updated_at, last_changed_at = excluded.last_changed_at,
            link_key = excluded.link_key, headline_key = excluded.headline_key
        WHERE items.content_hash <> excluded.content_hash
        RETURNING id
        """;
}
