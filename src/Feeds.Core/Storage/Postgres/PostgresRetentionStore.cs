using System.Data.Common;
using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="IRetentionStore"/> on PostgreSQL: <see cref="DbRetentionStore"/>'s prune as one transaction that first locks
/// <c>sources</c> and <c>items</c> against writes (reads go on), so no poll of any process sharing the database changes a
/// first page between asking what it shows and the delete; the change counters raised in the same transaction. Freed
/// space is reused through autovacuum.
/// </summary>
internal sealed class PostgresRetentionStore(PostgresDatabase database, TimeProvider clock) : DbRetentionStore
{
    public override async Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf,
        Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds, CancellationToken cancellationToken)
    {
        PruneResult pruned;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            // In the order a poll takes them (its source row, then its items), so a poll and a prune never deadlock.
            await connection.ExecuteAsync(new CommandDefinition("LOCK TABLE sources, items IN EXCLUSIVE MODE", transaction: transaction, cancellationToken: cancellationToken));
            pruned = await PruneItemsAsync(connection, transaction, retentionOf, shownIds, clock.GetUtcNow(), cancellationToken);
            if (pruned.RemovedBySource.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition("UPDATE sources SET items_version = items_version + 1 WHERE id = ANY(@ids)",
                    new { ids = pruned.RemovedBySource.Keys.ToArray() }, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition("UPDATE store_versions SET items_version = items_version + 1",
                    transaction: transaction, cancellationToken: cancellationToken));
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (pruned.RemovedBySource.Count > 0)
            database.SourceChanged();
        return pruned;
    }

    protected override string ExpiredItemsSql => """
        SELECT id FROM items WHERE source_id = @sourceId AND published_at < @before
        UNION
        SELECT id FROM (SELECT id FROM items WHERE source_id = @sourceId ORDER BY published_at DESC, id DESC OFFSET @newest) past_newest
        """;

    protected override async Task DeleteItemsAsync(DbConnection connection, DbTransaction transaction, long[] ids, long nowMs, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pruned_items (source_id, item_key, content_hash, pruned_at)
            SELECT source_id, item_key, content_hash, @now FROM items WHERE id = ANY(@ids)
            ON CONFLICT (source_id, item_key) DO UPDATE SET content_hash = excluded.content_hash, pruned_at = excluded.pruned_at
            """, new { ids, now = nowMs }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM items WHERE id = ANY(@ids)", new { ids }, transaction, cancellationToken: cancellationToken));
    }
}
