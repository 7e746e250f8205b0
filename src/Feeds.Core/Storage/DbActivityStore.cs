using System.Data.Common;
using Dapper;

namespace Feeds.Core.Storage;

/// <summary>
/// What every <see cref="IActivityStore"/> does alike (SQL over <see cref="DbConnection"/>), and the count a poll's save
/// adds in its own transaction (<see cref="CountPollAsync"/>). The retention pass forgets old hours (<see cref="ForgetBeforeAsync"/>).
/// A store says how it passes a list of ids, as for <see cref="DbPublishingStore"/>.
/// </summary>
internal abstract class DbActivityStore(IStoreDatabase database) : IActivityStore
{
    public async Task<IReadOnlyList<HourlyActivity>> GetSourceActivityAsync(IReadOnlyCollection<string> sourceIds, DateTimeOffset since,
        CancellationToken cancellationToken)
    {
        if (sourceIds.Count == 0)
            return [];
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ActivityRow>(new CommandDefinition(
            $"""
            SELECT source_id AS SourceId, hour_start AS HourStart, updated AS Updated, not_modified AS NotModified, failed AS Failed, new_items AS NewItems
            FROM poll_activity WHERE {IsIn("source_id", "@sourceIds")} AND hour_start >= @since
            """,
            new { sourceIds = List(sourceIds), since = since.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToActivity()).ToList();
    }

    public async Task<IReadOnlyList<HourlyActivity>> GetNewItemsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ActivityRow>(new CommandDefinition(
            """
            SELECT source_id AS SourceId, hour_start AS HourStart, updated AS Updated, not_modified AS NotModified, failed AS Failed, new_items AS NewItems
            FROM poll_activity WHERE hour_start >= @since AND new_items > 0
            """,
            new { since = since.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToActivity()).ToList();
    }

    /// <summary>A condition true when <paramref name="column"/> is one of the list bound to <paramref name="listParameter"/>.</summary>
    protected abstract string IsIn(string column, string listParameter);

    /// <summary>A list as <see cref="IsIn"/> binds it.</summary>
    protected abstract object List(IReadOnlyCollection<string> values);

    /// <summary>Counts one saved poll in its hour, inside the poll's <paramref name="transaction"/>: it is counted if and only if it is saved.</summary>
    public static Task CountPollAsync(DbConnection connection, DbTransaction transaction, SourceState state, int newItems, DateTimeOffset savedAt,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO poll_activity (source_id, hour_start, updated, not_modified, failed, new_items)
            VALUES (@SourceId, @hourStart, @updated, @notModified, @failed, @newItems)
            ON CONFLICT (source_id, hour_start) DO UPDATE SET
                updated = poll_activity.updated + excluded.updated,
                not_modified = poll_activity.not_modified + excluded.not_modified,
                failed = poll_activity.failed + excluded.failed,
                new_items = poll_activity.new_items + excluded.new_items
            """,
            new
            {
                state.SourceId,
                hourStart = HourlyActivity.HourOf(savedAt).ToUnixTimeMilliseconds(),
                updated = state.LastOutcome == PollOutcome.Updated ? 1 : 0,
                notModified = state.LastOutcome == PollOutcome.NotModified ? 1 : 0,
                failed = state.LastOutcome == PollOutcome.Failed ? 1 : 0,
                newItems,
            },
            transaction, cancellationToken: cancellationToken));

    /// <summary>Deletes the counts of hours that started <see cref="IActivityStore.KeptFor"/> before <paramref name="now"/>, inside the retention pass's transaction.</summary>
    public static Task ForgetBeforeAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("DELETE FROM poll_activity WHERE hour_start < @before",
            new { before = (now - IActivityStore.KeptFor).ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));

    // Explicit types: SQLite hands every integer back as Int64.
    private sealed record ActivityRow(string SourceId, long HourStart, long Updated, long NotModified, long Failed, long NewItems)
    {
        public HourlyActivity ToActivity() => new(SourceId, DateTimeOffset.FromUnixTimeMilliseconds(HourStart),
            (int)Updated, (int)NotModified, (int)Failed, (int)NewItems);
    }
}
