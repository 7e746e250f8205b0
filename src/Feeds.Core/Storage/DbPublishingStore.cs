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
        // Keyset paging on (published_at, id): stable however many items arrive meanwhile. The cursor is one row-value
        // comparison, which the (source_id, published_at, id) index can seek on; spelled as "published_at < x OR
        // (published_at = x AND id < y)", SQLite read the whole table for it (10 s a page at 400,000 items). The page's
        // ids are picked from that index alone and only then are their rows read, not the rows of every candidate.
        var older = cursor.Direction == PageDirection.Older;
        var (comparison, order) = older ? ("<", "i.published_at DESC, i.id DESC") : (">", "i.published_at ASC, i.id ASC");
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A section may have any number of sources: their ids go in as one parameter.
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"""
            {ItemRow.Select}
            WHERE i.id IN (
                SELECT i.id FROM items i
                WHERE {IsIn("i.source_id", "@sourceIds")} AND (i.published_at, i.id) {comparison} (@PublishedMs, @Id)
                ORDER BY {order} LIMIT @limit)
            ORDER BY {order}
            """,
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
        // The matches are found through the key indexes, a few hundred keys, and only then kept to the section's
        // sources: with the sources first, SQLite read every item of a section's 2,000 sources per chunk of a page.
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ItemRow>(new CommandDefinition(
            $"""
            {ItemRow.Select}
            WHERE i.id IN (
                SELECT id FROM items WHERE {IsIn("link_key", "@linkKeys")}
                UNION
                SELECT id FROM items WHERE {IsIn("headline_key", "@headlineKeys")} AND published_at BETWEEN @from AND @to)
              AND {IsIn("i.source_id", "@sourceIds")}
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

    /// <summary>The condition that <paramref name="column"/> is one of the values in <paramref name="listParameter"/>, bound with <see cref="List"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>A list as one parameter, however long: one parameter per value would pass a database's limit with a large section.</summary>
    protected abstract object List(IReadOnlyCollection<string> values);
}
