using System.Data.Common;
using Dapper;

namespace Feeds.Core.Storage;

/// <summary>
/// What every <see cref="IPublishingStore"/> does alike (SQL over <see cref="DbConnection"/>): keyset pages on
/// (published_at, id), and story matches by the keys normalization gave each item. A store supplies its dialect's
/// way to pass a list as one parameter and to compare with the cursor, and its versions.
/// </summary>
internal abstract class DbPublishingStore(IStoreDatabase database, TimeProvider clock) : IPublishingStore
{
    public async Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken)
    {
        // Keyset paging on (published_at, id): stable however many items arrive meanwhile.
        var older = cursor.Direction == PageDirection.Older;
        var (past, order) = older ? (PastCursor("<"), "i.published_at DESC, i.id DESC") : (PastCursor(">"), "i.published_at ASC, i.id ASC");
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A section may have any number of sources: their ids go in as one parameter.
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"{ItemRow.Select} WHERE {IsIn("i.source_id", "@sourceIds")} AND {past} ORDER BY {order} LIMIT @limit",
            new { sourceIds = List(sourceIds), cursor.PublishedMs, cursor.Id, limit }, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        var items = rows.Select(r => r.ToItem(now));
        return (older ? items : items.Reverse()).ToList();
    }

    public async Task<IReadOnlyList<StoredItem>> GetStoryMatchesAsync(IReadOnlyCollection<string> sourceIds, IReadOnlyCollection<string> linkKeys,
        IReadOnlyCollection<string> headlineKeys, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (linkKeys.Count == 0 && headlineKeys.Count == 0)
            return [];
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"""
            {ItemRow.Select}
            WHERE {IsIn("i.source_id", "@sourceIds")}
              AND ({IsIn("i.link_key", "@linkKeys")} OR ({IsIn("i.headline_key", "@headlineKeys")} AND i.published_at BETWEEN @from AND @to))
            ORDER BY i.published_at ASC, i.id ASC
            """,
            new
            {
                sourceIds = List(sourceIds), linkKeys = List(linkKeys), headlineKeys = List(headlineKeys),
                from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        return rows.Select(r => r.ToItem(now)).ToList();
    }

    public abstract long GetSourceVersion(string sourceId);

    public abstract long GetStoreVersion();

    /// <summary>The condition that an item's (published_at, id) compares to the cursor's (@PublishedMs, @Id) by <paramref name="comparison"/> (&lt; or &gt;).</summary>
    protected abstract string PastCursor(string comparison);

    /// <summary>The condition that <paramref name="column"/> is one of the values in <paramref name="listParameter"/>, bound with <see cref="List"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>A list as one parameter, however long: one parameter per value would pass a database's limit with a large section.</summary>
    protected abstract object List(IReadOnlyCollection<string> values);
}
