using Dapper;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="IPublishingStore"/> on PostgreSQL: keyset pages on (published_at, id), story matches by the keys normalization
/// gave each item, and the versions every process sharing the database sees.
/// </summary>
internal sealed class PostgresPublishingStore(PostgresDatabase database, TimeProvider clock) : IPublishingStore
{
    public async Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken)
    {
        // Keyset paging on (published_at, id): stable however many items arrive meanwhile.
        var (where, order) = cursor.Direction == PageDirection.Older
            ? ("(i.published_at, i.id) < (@PublishedMs, @Id)", "i.published_at DESC, i.id DESC")
            : ("(i.published_at, i.id) > (@PublishedMs, @Id)", "i.published_at ASC, i.id ASC");
        await using var connection = await database.OpenAsync(cancellationToken);
        // A section may have any number of sources: their ids go in as one array parameter.
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"{ItemRow.Select} WHERE i.source_id = ANY(@sourceIds) AND {where} ORDER BY {order} LIMIT @limit",
            new { sourceIds = sourceIds.ToArray(), cursor.PublishedMs, cursor.Id, limit }, cancellationToken: cancellationToken));
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
            WHERE i.source_id = ANY(@sourceIds)
              AND (i.link_key = ANY(@linkKeys) OR (i.headline_key = ANY(@headlineKeys) AND i.published_at BETWEEN @from AND @to))
            ORDER BY i.published_at ASC, i.id ASC
            """,
            new
            {
                sourceIds = sourceIds.ToArray(), linkKeys = linkKeys.ToArray(), headlineKeys = headlineKeys.ToArray(),
                from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        return rows.Select(r => r.ToItem(now)).ToList();
    }

    public long GetSourceVersion(string sourceId) => database.SourceVersion(sourceId);

    public long GetStoreVersion() => database.StoreVersion();
}
