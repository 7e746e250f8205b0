using Dapper;

namespace Feeds.Core.Storage;

/// <summary>
/// <see cref="IScheduleStore"/> in portable SQL over the index on <c>(next_due_at, id)</c> (SQLite migration 0012,
/// PostgreSQL 0010): a keyset read of the due sources and the earliest due time are each one range scan of the index.
/// A store whose writes take turns says how in <see cref="TakeWriteTurnAsync"/>.
/// </summary>
internal class DbScheduleStore(IStoreDatabase database) : IScheduleStore
{
    public async Task<IReadOnlyList<DueSource>> GetDueSourcesAsync(DateTimeOffset upTo, DueSource? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string SourceId, long DueAt)>(new CommandDefinition(
            """
            SELECT id, next_due_at FROM sources
            WHERE next_due_at <= @upTo AND (next_due_at > @afterAt OR (next_due_at = @afterAt AND id > @afterId))
            ORDER BY next_due_at, id
            LIMIT @limit
            """,
            new
            {
                upTo = upTo.ToUnixTimeMilliseconds(),
                afterAt = after?.DueAt.ToUnixTimeMilliseconds() ?? long.MinValue,
                afterId = after?.SourceId ?? "",
                limit,
            }, cancellationToken: cancellationToken));
        return rows.Select(row => new DueSource(row.SourceId, DateTimeOffset.FromUnixTimeMilliseconds(row.DueAt))).ToList();
    }

    public async Task<DateTimeOffset?> GetEarliestDueAfterAsync(DateTimeOffset after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var earliest = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(next_due_at) FROM sources WHERE next_due_at > @after",
            new { after = after.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return earliest is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public async Task SetDueAtAsync(string sourceId, DateTimeOffset? dueAt, CancellationToken cancellationToken)
    {
        using var turn = await TakeWriteTurnAsync(cancellationToken);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sources SET next_due_at = @dueAt WHERE id = @sourceId",
            new { sourceId, dueAt = dueAt?.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    /// <summary>Waits for the store's turn to write, when its writes take turns; null when they run side by side.</summary>
    protected virtual ValueTask<IDisposable?> TakeWriteTurnAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);
}
