using System.Data.Common;
using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="IRetentionStore"/> on SQLite: <see cref="DbRetentionStore"/>'s prune as one transaction in the writer's turn,
/// and the freed pages given back to the file system (incremental vacuum).
/// </summary>
internal sealed class SqliteRetentionStore(SqliteDatabase database, TimeProvider clock) : DbRetentionStore
{
    public override async Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf,
        Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds, CancellationToken cancellationToken)
    {
        // In the writer's turn: no poll can change a first page between asking what it shows and the delete.
        using var turn = await database.TakeWriterTurnAsync(cancellationToken);
        var now = clock.GetUtcNow();
        PruneResult pruned;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            pruned = await PruneItemsAsync(connection, transaction, retentionOf, shownIds, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        foreach (var sourceId in pruned.RemovedBySource.Keys)
            database.SourceChanged(sourceId);
        // Needs auto_vacuum = INCREMENTAL (set on a new database); a no-op otherwise.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA incremental_vacuum;", cancellationToken: cancellationToken));
        return pruned;
    }

    protected override string ExpiredItemsSql => """
        SELECT id FROM items WHERE source_id = @sourceId AND published_at < @before
        UNION
        SELECT id FROM (SELECT id FROM items WHERE source_id = @sourceId ORDER BY published_at DESC, id DESC LIMIT -1 OFFSET @newest)
        """;

    protected override async Task DeleteItemsAsync(DbConnection connection, DbTransaction transaction, long[] ids, long nowMs, CancellationToken cancellationToken)
    {
        // Chunks keep each statement well under SQLite's limit of bound parameters.
        foreach (var chunk in ids.Chunk(SqliteDatabase.ParameterChunk))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT OR REPLACE INTO pruned_items (source_id, item_key, content_hash, pruned_at)
                SELECT source_id, item_key, content_hash, @now FROM items WHERE id IN @ids
                """, new { ids = chunk, now = nowMs }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM items WHERE id IN @ids", new { ids = chunk }, transaction, cancellationToken: cancellationToken));
        }
    }
}
