using Dapper;

namespace Feeds.Core.Storage.Sqlite;

/// <summary><see cref="IPublishingStore"/> on SQLite: keyset pages on (published_at, id), and story matches by the keys normalization gave each item.</summary>
internal sealed class SqlitePublishingStore(SqliteDatabase database, TimeProvider clock) : IPublishingStore
{
    public async Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken)
    {
        // Keyset paging on (published_at, id): stable however many items arrive meanwhile.
        var (where, order) = cursor.Direction == PageDirection.Older
            ? ("(i.published_at < @PublishedMs OR (i.published_at = @PublishedMs AND i.id < @Id))", "i.published_at DESC, i.id DESC")
            : ("(i.published_at > @PublishedMs OR (i.published_at = @PublishedMs AND i.id > @Id))", "i.published_at ASC, i.id ASC");
        await using var connection = await database.OpenAsync(cancellationToken);
        // A section may have any number of sources: their ids go in as one JSON array, not one parameter each.
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"{ItemRow.Select} WHERE i.source_id IN (SELECT value FROM json_each(@sourceIds)) AND {where} ORDER BY {order} LIMIT @limit",
            new { sourceIds = SqliteDatabase.JsonArray(sourceIds), cursor.PublishedMs, cursor.Id, limit }, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        var items = rows.Select(r => r.ToItem(now));
        return (cursor.Direction == PageDirection.Older ? items : items.Reverse()).ToList();
    }

    public async Task<IReadOnlyList<StoredItem>> GetStoryMatchesAsync(IReadOnlyCollection<string> sourceIds, IReadOnlyCollection<string> linkKeys,
        IReadOnlyCollection<string> headlineKeys, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (linkKeys.Count == 0 && headlineKeys.Count == 0)
            return [];
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"""
            {ItemRow.Select}
            WHERE i.source_id IN (SELECT value FROM json_each(@sourceIds))
              AND (i.link_key IN (SELECT value FROM json_each(@linkKeys))
                   OR (i.headline_key IN (SELECT value FROM json_each(@headlineKeys)) AND i.published_at BETWEEN @from AND @to))
            ORDER BY i.published_at ASC, i.id ASC
            """,
            new
            {
                sourceIds = SqliteDatabase.JsonArray(sourceIds), linkKeys = SqliteDatabase.JsonArray(linkKeys), headlineKeys = SqliteDatabase.JsonArray(headlineKeys),
                from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        return rows.Select(r => r.ToItem(now)).ToList();
    }

    public long GetSourceVersion(string sourceId) => database.SourceVersion(sourceId);

    public long GetStoreVersion() => database.StoreVersion;
}
