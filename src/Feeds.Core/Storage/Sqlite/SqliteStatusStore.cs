using Dapper;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary><see cref="IStatusStore"/> on SQLite: the sources rows with any lost poll shown over them, and statistics in one grouped query.</summary>
internal sealed class SqliteStatusStore(SqliteDatabase database, WriteFaults faults, TimeProvider clock) : IStatusStore
{
    public async Task<IReadOnlyList<SourceState>> GetSourceStatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SourceRow>(new CommandDefinition(SourceRow.Select + " ORDER BY id", cancellationToken: cancellationToken));
        return faults.ShowOn(rows.Select(r => r.ToState()));
    }

    public async Task<IReadOnlyDictionary<string, ItemStatistics>> GetItemStatisticsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
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

    // Both counts only grow, so their sum does: a poll's save bumps the first (and the second when it changed items),
    // retention bumps the second.
    public long ChangeCount => faults.PollsEnded + database.StoreVersion;

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM sources", cancellationToken: cancellationToken)) >= 0;
        }
        catch (SqliteException)
        {
            return false;
        }
    }
}
