using System.Data.Common;
using System.Text.Encodings.Web;
using System.Text.Json;
using Dapper;
using Feeds.Core.Normalization;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="IPollStore"/> on SQLite: a poll is one transaction, one idempotent upsert of its items keyed by (source, item
/// key) after the source's row (as PostgreSQL's, a statement a poll, not an item), then the new items placed in their stories (<see cref="DbStoryIndex"/>), in the writer's turn. The reads, and the noting of a save's fault, are <see cref="DbPollStore"/>'s.
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
        var changedAt = await ChangeStampAsync(connection, transaction, now, cancellationToken);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        // In chunks: one bound parameter per key would pass SQLite's limit (32,766) with a large feed.
        foreach (var keys in items.Select(i => i.Key).Distinct(StringComparer.Ordinal).Chunk(SqliteDatabase.ParameterChunk))
        {
            existing.UnionWith(await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT item_key FROM items WHERE source_id = @SourceId AND item_key IN @keys",
                new { state.SourceId, keys }, transaction, cancellationToken: cancellationToken)));
        }
        // By id: a key given twice in one feed is stored once, the second write (in the next statement) changing the row
        // the first added, so the item is placed as last written.
        var added = new Dictionary<long, WrittenItem>();
        var changed = new Dictionary<long, WrittenItem>();
        foreach (var statement in Statements(items.Select(item => (item, ItemRow.From(state.SourceId, item, now)))))
        {
            var written = await UpsertAsync(connection, transaction, statement, changedAt, cancellationToken);
            foreach (var (item, _) in statement)
            {
                if (!written.TryGetValue(item.Key, out var row))
                    continue;
                var writtenItem = new WrittenItem(row.Id, state.SourceId, row.PublishedAt, item);
                if (existing.Contains(item.Key) && !added.ContainsKey(row.Id))
                    changed[row.Id] = writtenItem;
                else
                    added[row.Id] = writtenItem;
                existing.Add(item.Key);
            }
        }
        await stories.PlaceAsync(connection, transaction, [.. added.Values], [.. changed.Values], cancellationToken);
        await DbActivityStore.CountPollAsync(connection, transaction, state, added.Count, DateTimeOffset.FromUnixTimeMilliseconds(now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (added.Count + changed.Count > 0)
            database.SourceChanged(state.SourceId);
        return new SaveResult(added.Count, changed.Count);
    }

    /// <summary>
    /// The poll's items cut into upserts in the order given (insertion order orders items of the same time), none with a key
    /// twice: <see cref="UpsertAsync"/> tells written rows apart by key. Normalization hands over one item a key, so this is
    /// one statement a poll.
    /// </summary>
    private static IEnumerable<List<(NormalizedItem Item, ItemRow Row)>> Statements(IEnumerable<(NormalizedItem Item, ItemRow Row)> rows)
    {
        var statement = new List<(NormalizedItem Item, ItemRow Row)>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!keys.Add(row.Item.Key))
            {
                yield return statement;
                statement = [];
                keys.Clear();
                keys.Add(row.Item.Key);
            }
            statement.Add(row);
        }
        if (statement.Count > 0)
            yield return statement;
    }

    /// <summary>
    /// One statement for all the rows, passed as one JSON array of arrays: a poll costs one prepare and one parameter
    /// instead of a statement of 22 bound parameters an item (bench/ingest: the writer is the one stage of a cold ingest that
    /// cannot run on both cores). Named parameters would not do: SQLite finds each by a linear search of the statement's
    /// names, so 22 an item over a whole poll costs quadratic time. Gives the id and stored publication time of each row
    /// written, by key; an unchanged item writes none.
    /// </summary>
    private static async Task<Dictionary<string, (long Id, long PublishedAt)>> UpsertAsync(DbConnection connection, DbTransaction transaction,
        List<(NormalizedItem Item, ItemRow Row)> statement, long changedAt, CancellationToken cancellationToken)
    {
        var rows = JsonSerializer.Serialize(statement.Select(s => new object?[]
        {
            s.Row.ItemKey, s.Row.ContentHash, s.Row.Guid, s.Row.Title, s.Row.Link, s.Row.SummaryHtml, s.Row.SummaryText, s.Row.ContentHtml,
            s.Row.AuthorsJson, s.Row.CategoriesJson, s.Row.EnclosuresJson, s.Row.ImageUrl, s.Row.ReadingMinutes, s.Row.PublishedAt,
            s.Row.DateIsEstimated, s.Row.UpdatedAt, s.Row.LinkKey, s.Row.HeadlineKey,
        }), RowsJson);
        var first = statement[0].Row;
        var written = await connection.QueryAsync<(long Id, string Key, long PublishedAt)>(new CommandDefinition(
            UpsertItemsSql, new { first.SourceId, Now = first.FirstSeenAt, Changed = changedAt, rows }, transaction, cancellationToken: cancellationToken));
        return written.ToDictionary(row => row.Key, row => (row.Id, row.PublishedAt), StringComparer.Ordinal);
    }

    /// <summary>Only SQLite reads this JSON: HTML's characters need no escaping in it, and unescaped they cost it less to read.</summary>
    private static readonly JsonSerializerOptions RowsJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The rows of @rows in the order given (json_each's key is the array index). Touches no row when the item is unchanged
    // (same content hash), and then returns none; else the row's id, key and publication time. An item whose feed gives no date keeps the
    // first-seen time it got on insert. "WHERE true" is SQLite's: an upsert's SELECT needs a WHERE clause (sqlite.org/lang_upsert.html).
    private const string UpsertItemsSql = """
        INSERT INTO items (source_id, item_key, content_hash, guid, title, link, summary_html, summary_text, content_html,
                           authors_json, categories_json, enclosures_json, image_url, reading_minutes,
                           published_at, date_is_estimated, updated_at, first_seen_at, last_changed_at, link_key, headline_key)
        SELECT @SourceId, r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6,
               r.value ->> 7, r.value ->> 8, r.value ->> 9, r.value ->> 10, r.value ->> 11, r.value ->> 12, r.value ->> 13,
               r.value ->> 14, r.value ->> 15, @Now, @Changed, r.value ->> 16, r.value ->> 17
        FROM json_each(@rows) r
        WHERE true
        ORDER BY r.key
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
        RETURNING id, item_key, published_at
        """;
}
