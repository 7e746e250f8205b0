using Dapper;
using Feeds.Core.Normalization;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="IPollStore"/> on PostgreSQL: a poll is one transaction, an idempotent upsert keyed by (source, item key) after
/// the source's row, the new items placed in their stories and the changed ones' reports followed (<see cref="DbStoryIndex"/>), and the change counters raised in
/// the same transaction. Polls of different sources commit side by
/// side; a poll waits only for a retention pass (which locks the tables it deletes from). The reads, and the noting of a
/// save's fault, are <see cref="DbPollStore"/>'s.
/// </summary>
internal sealed class PostgresPollStore(PostgresDatabase database, DbStoryIndex stories, WriteFaults faults, TimeProvider clock)
    : DbPollStore(database, faults)
{
    public override Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken) =>
        SaveNotingFaultsAsync(state, () => WritePollAsync(state, items, cancellationToken));

    private async Task<SaveResult> WritePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken)
    {
        // After a fault, pooled connections may keep what caused it (a read-only session default): write through fresh ones.
        if (AfterFault)
            database.ClearPool();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SourceRow.Upsert, SourceRow.From(state), transaction, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var changedAt = await ChangeStampAsync(connection, transaction, now, cancellationToken);
        // One statement for all the items, whatever their number: one round trip to the server. Each row back is an item
        // inserted (xmax is 0) or changed; an unchanged one returns none.
        var written = items.Count == 0 ? [] : (await connection.QueryAsync<WrittenRow>(new CommandDefinition(
            UpsertItemsSql, ItemColumns.Of(state.SourceId, items, now, changedAt), transaction, cancellationToken: cancellationToken))).ToList();
        var added = written.Count(row => row.Inserted);
        var updated = written.Count - added;
        var given = new Dictionary<string, NormalizedItem>(StringComparer.Ordinal);
        foreach (var item in items)
            given[item.Key] = item;
        var placed = written.ToLookup(row => row.Inserted, row => new WrittenItem(row.Id, state.SourceId, row.PublishedAt, given[row.ItemKey]));
        await stories.PlaceAsync(connection, transaction, [.. placed[true]], [.. placed[false]], cancellationToken);
        if (added + updated > 0)
            await connection.ExecuteAsync(new CommandDefinition("UPDATE sources SET items_version = items_version + 1 WHERE id = @SourceId",
                new { state.SourceId }, transaction, cancellationToken: cancellationToken));
        await DbActivityStore.CountPollAsync(connection, transaction, state, added, DateTimeOffset.FromUnixTimeMilliseconds(now), cancellationToken);
        // Last, so the one row every poll updates is held only for the commit.
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE store_versions SET polls_saved = polls_saved + 1, items_version = items_version + @changed",
            new { changed = added + updated > 0 ? 1 : 0 }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        if (added + updated > 0)
            database.SourceChanged();
        return new SaveResult(added, updated);
    }

    // The items as rows of arrays, in the order given (insertion order orders items of the same time). Touches no row
    // when an item is unchanged (same content hash); an item whose feed gives no date keeps the first-seen time it got on
    // insert.
    private const string UpsertItemsSql = """
        INSERT INTO items (source_id, item_key, content_hash, guid, title, link, summary_html, summary_text, content_html,
                           authors_json, categories_json, enclosures_json, image_url, reading_minutes,
                           published_at, date_is_estimated, updated_at, first_seen_at, last_changed_at, link_key, headline_key)
        SELECT @SourceId, i.item_key, i.content_hash, i.guid, i.title, i.link, i.summary_html, i.summary_text, i.content_html,
               i.authors_json, i.categories_json, i.enclosures_json, i.image_url, i.reading_minutes,
               i.published_at, i.date_is_estimated, i.updated_at, @Now, @Changed, i.link_key, i.headline_key
        FROM unnest(@ItemKeys::text[], @ContentHashes::text[], @Guids::text[], @Titles::text[], @Links::text[], @SummaryHtmls::text[],
                    @SummaryTexts::text[], @ContentHtmls::text[], @AuthorsJsons::text[], @CategoriesJsons::text[], @EnclosuresJsons::text[],
                    @ImageUrls::text[], @ReadingMinutes::bigint[], @PublishedAts::bigint[], @DateIsEstimateds::bigint[], @UpdatedAts::bigint[],
                    @LinkKeys::text[], @HeadlineKeys::text[])
             WITH ORDINALITY AS i(item_key, content_hash, guid, title, link, summary_html, summary_text, content_html, authors_json,
                                  categories_json, enclosures_json, image_url, reading_minutes, published_at, date_is_estimated,
                                  updated_at, link_key, headline_key, position)
        ORDER BY i.position
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
        RETURNING id AS Id, xmax = 0 AS Inserted, item_key AS ItemKey, published_at AS PublishedAt
        """;

    /// <summary>A row the upsert inserted or changed.</summary>
    private sealed record WrittenRow(long Id, bool Inserted, string ItemKey, long PublishedAt);

    /// <summary>
    /// The parameters of <see cref="UpsertItemsSql"/>: one array per column. An item key given twice in one poll (which
    /// normalization never hands over) is saved once, as last given: one statement cannot change a row twice.
    /// </summary>
    private sealed record ItemColumns(string SourceId, long Now, long Changed)
    {
        public required string?[] ItemKeys { get; init; }
        public required string?[] ContentHashes { get; init; }
        public required string?[] Guids { get; init; }
        public required string?[] Titles { get; init; }
        public required string?[] Links { get; init; }
        public required string?[] SummaryHtmls { get; init; }
        public required string?[] SummaryTexts { get; init; }
        public required string?[] ContentHtmls { get; init; }
        public required string?[] AuthorsJsons { get; init; }
        public required string?[] CategoriesJsons { get; init; }
        public required string?[] EnclosuresJsons { get; init; }
        public required string?[] ImageUrls { get; init; }
        public required long[] ReadingMinutes { get; init; }
        public required long[] PublishedAts { get; init; }
        public required long[] DateIsEstimateds { get; init; }
        public required long[] UpdatedAts { get; init; }
        public required string?[] LinkKeys { get; init; }
        public required string?[] HeadlineKeys { get; init; }

        public static ItemColumns Of(string sourceId, IReadOnlyList<NormalizedItem> given, long now, long changed)
        {
            var unique = given.Count == given.Select(i => i.Key).Distinct(StringComparer.Ordinal).Count()
                ? given
                : given.GroupBy(i => i.Key, StringComparer.Ordinal).Select(keyed => keyed.Last()).ToList();
            var items = unique.Select(i => ItemRow.From(sourceId, i, now)).ToList();
            return new ItemColumns(sourceId, now, changed)
            {
                ItemKeys = [.. items.Select(i => i.ItemKey)],
                ContentHashes = [.. items.Select(i => i.ContentHash)],
                Guids = [.. items.Select(i => i.Guid)],
                Titles = [.. items.Select(i => i.Title)],
                Links = [.. items.Select(i => i.Link)],
                SummaryHtmls = [.. items.Select(i => i.SummaryHtml)],
                SummaryTexts = [.. items.Select(i => i.SummaryText)],
                ContentHtmls = [.. items.Select(i => i.ContentHtml)],
                AuthorsJsons = [.. items.Select(i => i.AuthorsJson)],
                CategoriesJsons = [.. items.Select(i => i.CategoriesJson)],
                EnclosuresJsons = [.. items.Select(i => i.EnclosuresJson)],
                ImageUrls = [.. items.Select(i => i.ImageUrl)],
                ReadingMinutes = [.. items.Select(i => i.ReadingMinutes)],
                PublishedAts = [.. items.Select(i => i.PublishedAt)],
                DateIsEstimateds = [.. items.Select(i => i.DateIsEstimated)],
                UpdatedAts = [.. items.Select(i => i.UpdatedAt)],
                LinkKeys = [.. items.Select(i => i.LinkKey)],
                HeadlineKeys = [.. items.Select(i => i.HeadlineKey)],
            };
        }
    }
}
