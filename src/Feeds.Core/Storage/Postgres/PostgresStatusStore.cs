using Dapper;
using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary><see cref="IStatusStore"/> on PostgreSQL: the sources rows with any lost poll shown over them, and statistics in one grouped query.</summary>
internal sealed class PostgresStatusStore(PostgresDatabase database, WriteFaults faults, TimeProvider clock) : IStatusStore
{
    public async Task<IReadOnlyList<SourceState>> GetSourceStatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SourceRow>(new CommandDefinition(SourceRow.Select + " ORDER BY id COLLATE \"C\"", cancellationToken: cancellationToken));
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

    // Both counts only grow, so their sum does: the database's counts every process's saved polls and item changes,
    // this process's counts its lost polls too (which the database never hears of).
    public long ChangeCount => faults.PollsEnded + database.ChangeCount();

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM store_versions", cancellationToken: cancellationToken)) == 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
