using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;

namespace Feeds.Core.Storage;

/// <summary>
/// What every <see cref="IStatusStore"/> does alike (portable SQL over <see cref="DbConnection"/>): the sources rows, streamed,
/// with any lost poll shown over them, statistics in one grouped query, and health as one query that answers. A store says how
/// it counts its changes and what its health query is.
/// </summary>
internal abstract class DbStatusStore(IStoreDatabase database, WriteFaults faults, TimeProvider clock) : IStatusStore
{
    public IAsyncEnumerable<SourceState> ReadSourceStatesAsync(CancellationToken cancellationToken) =>
        faults.ShowOn(ReadStoredStatesAsync(cancellationToken), cancellationToken);

    // Unbuffered: a row at a time from the open reader, never the list of every row. Its overloads take no token, so a
    // cancelled read stops at the next row.
    private async IAsyncEnumerable<SourceState> ReadStoredStatesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await foreach (var row in connection.QueryUnbufferedAsync<SourceRow>(SourceRow.Select))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row.ToState();
        }
    }

    public async Task<IReadOnlyDictionary<string, ItemStatistics>> GetItemStatisticsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Dates outside the window count as their first-seen time, as StoredItemGuard shows them.
        var rows = await connection.QueryAsync<(string SourceId, long Count, long Oldest, long Newest, long LastNew)>(new CommandDefinition(
            """
            SELECT source_id, count(*),
                   min(CASE WHEN published_at BETWEEN @earliest AND @latest THEN published_at ELSE first_seen_at END),
                   max(CASE WHEN published_at BETWEEN @earliest AND @latest THEN published_at ELSE first_seen_at END),
                   max(first_seen_at)
            FROM items GROUP BY source_id
            """,
            new { earliest = StoredItemGuard.EarliestDate.ToUnixTimeMilliseconds(), latest = (now + StoredItemGuard.LatestAhead).ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.SourceId, r => new ItemStatistics(r.Count,
            StoredItemGuard.Time(r.Oldest, now), StoredItemGuard.Time(r.Newest, now), StoredItemGuard.Time(r.LastNew, now)));
    }

    // Both counts only grow, so their sum does: this process's saved and lost polls, and the store's own count.
    public long ChangeCount => faults.PollsEnded + StoredChangeCount;

    /// <summary>The store's count of changes besides this process's polls ended; it only grows.</summary>
    protected abstract long StoredChangeCount { get; }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(HealthQuery, cancellationToken: cancellationToken)) == 1;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>A query that answers 1 from a healthy store.</summary>
    protected abstract string HealthQuery { get; }
}
