using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="IRetentionStore"/> on PostgreSQL: one transaction that first locks <c>sources</c> and <c>items</c> against
/// writes (reads go on), so no poll of any process sharing the database changes a first page between asking what it shows
/// and the delete; tombstones in <c>pruned_items</c>. Freed space is reused through autovacuum.
/// </summary>
internal sealed class PostgresRetentionStore(PostgresDatabase database, TimeProvider clock) : IRetentionStore
{
    public async Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf,
        Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds, CancellationToken cancellationToken)
    {
        var removed = new Dictionary<string, int>();
        var spared = 0;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            // In the order a poll takes them (its source row, then its items), so a poll and a prune never deadlock.
            await connection.ExecuteAsync(new CommandDefinition("LOCK TABLE sources, items IN EXCLUSIVE MODE", transaction: transaction, cancellationToken: cancellationToken));
            var shown = await shownIds(cancellationToken);
            var now = clock.GetUtcNow();
            var sourceIds = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT DISTINCT source_id FROM items", transaction: transaction, cancellationToken: cancellationToken));
            foreach (var sourceId in sourceIds.ToList())
            {
                var retention = retentionOf(sourceId);
                var expired = (await connection.QueryAsync<long>(new CommandDefinition(ExpiredItemsSql, new
                {
                    sourceId,
                    // No limit is a bound nothing crosses.
                    before = retention.MaxAge is { } age ? (now - age).ToUnixTimeMilliseconds() : long.MinValue,
                    newest = (long?)retention.MaxItems ?? long.MaxValue,
                }, transaction, cancellationToken: cancellationToken))).ToList();
                var doomed = expired.Where(id => !shown.Contains(id)).ToArray();
                spared += expired.Count - doomed.Length;
                if (doomed.Length == 0)
                    continue;
                await connection.ExecuteAsync(new CommandDefinition(TombstoneSql, new { ids = doomed, now = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM items WHERE id = ANY(@ids)", new { ids = doomed }, transaction, cancellationToken: cancellationToken));
                removed[sourceId] = doomed.Length;
            }
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pruned_items WHERE pruned_at < @forgetBefore",
                new { forgetBefore = (now - IRetentionStore.TombstoneLifetime).ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
            if (removed.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition("UPDATE sources SET items_version = items_version + 1 WHERE id = ANY(@ids)",
                    new { ids = removed.Keys.ToArray() }, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition("UPDATE store_versions SET items_version = items_version + 1",
                    transaction: transaction, cancellationToken: cancellationToken));
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (removed.Count > 0)
            database.SourceChanged();
        return new PruneResult(removed, spared);
    }

    // Older than the age limit, or past the newest @newest of the source (newest by date, then insertion order).
    private const string ExpiredItemsSql = """
        SELECT id FROM items WHERE source_id = @sourceId AND published_at < @before
        UNION
        SELECT id FROM (SELECT id FROM items WHERE source_id = @sourceId ORDER BY published_at DESC, id DESC OFFSET @newest) past_newest
        """;

    private const string TombstoneSql = """
        INSERT INTO pruned_items (source_id, item_key, content_hash, pruned_at)
        SELECT source_id, item_key, content_hash, @now FROM items WHERE id = ANY(@ids)
        ON CONFLICT (source_id, item_key) DO UPDATE SET content_hash = excluded.content_hash, pruned_at = excluded.pruned_at
        """;
}
