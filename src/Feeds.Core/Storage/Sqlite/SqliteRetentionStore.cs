using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="IRetentionStore"/> on SQLite: one transaction in the writer's turn, tombstones in <c>pruned_items</c>, and
/// the freed pages given back to the file system (incremental vacuum).
/// </summary>
internal sealed class SqliteRetentionStore(SqliteDatabase database, TimeProvider clock) : IRetentionStore
{
    public async Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf,
        Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds, CancellationToken cancellationToken)
    {
        // In the writer's turn: no poll can change a first page between asking what it shows and the delete.
        using var turn = await database.TakeWriterTurnAsync(cancellationToken);
        var shown = await shownIds(cancellationToken);
        var now = clock.GetUtcNow();
        var removed = new Dictionary<string, int>();
        var spared = 0;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
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
                    newest = retention.MaxItems ?? long.MaxValue,
                }, transaction, cancellationToken: cancellationToken))).ToList();
                var doomed = expired.Where(id => !shown.Contains(id)).ToList();
                spared += expired.Count - doomed.Count;
                // Chunks keep each statement well under SQLite's limit of bound parameters.
                foreach (var ids in doomed.Chunk(SqliteDatabase.ParameterChunk))
                {
                    await connection.ExecuteAsync(new CommandDefinition(TombstoneSql, new { ids, now = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
                    await connection.ExecuteAsync(new CommandDefinition("DELETE FROM items WHERE id IN @ids", new { ids }, transaction, cancellationToken: cancellationToken));
                }
                if (doomed.Count > 0)
                    removed[sourceId] = doomed.Count;
            }
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pruned_items WHERE pruned_at < @forgetBefore",
                new { forgetBefore = (now - IRetentionStore.TombstoneLifetime).ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        foreach (var sourceId in removed.Keys)
            database.SourceChanged(sourceId);
        // Needs auto_vacuum = INCREMENTAL (set on a new database); a no-op otherwise.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA incremental_vacuum;", cancellationToken: cancellationToken));
        return new PruneResult(removed, spared);
    }

    // Older than the age limit, or past the newest @newest of the source (newest by date, then insertion order).
    private const string ExpiredItemsSql = """
        SELECT id FROM items WHERE source_id = @sourceId AND published_at < @before
        UNION
        SELECT id FROM (SELECT id FROM items WHERE source_id = @sourceId ORDER BY published_at DESC, id DESC LIMIT -1 OFFSET @newest)
        """;

    private const string TombstoneSql = """
        INSERT OR REPLACE INTO pruned_items (source_id, item_key, content_hash, pruned_at)
        SELECT source_id, item_key, content_hash, @now FROM items WHERE id IN @ids
        """;
}
