using System.Data.Common;
using Dapper;
using Feeds.Core.Sources;

namespace Feeds.Core.Storage;

/// <summary>
/// What every <see cref="IRetentionStore"/> does alike inside its prune transaction (SQL over <see cref="DbConnection"/>):
/// find each source's items past its retention, spare those a first page shows, delete the rest leaving tombstones, and
/// forget tombstones past their lifetime and hourly poll counts past theirs (<see cref="IActivityStore.KeptFor"/>). A store keeps writers out its own way and supplies its dialect's SQL.
/// </summary>
internal abstract class DbRetentionStore : IRetentionStore
{
    public abstract Task<PruneResult> PruneAsync(Func<string, RetentionSettings> retentionOf,
        Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds, CancellationToken cancellationToken);

    /// <summary>
    /// The prune itself, in <paramref name="transaction"/>, once no poll can change what <paramref name="shownIds"/> lists.
    /// The first pages are asked for only when some source has anything past its retention: a pass where nothing expired
    /// costs one scan of the index, not a read of every section's first page.
    /// </summary>
    protected async Task<PruneResult> PruneItemsAsync(DbConnection connection, DbTransaction transaction, Func<string, RetentionSettings> retentionOf,
        Func<CancellationToken, Task<IReadOnlySet<long>>> shownIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var removed = new Dictionary<string, int>();
        var spared = 0;
        // One pass over the (source, date) index finds the sources with anything past their retention; only those are read
        // item by item. A pass where little expired costs that scan, not a query per source (20,000 at 20,000 sources).
        var extents = await connection.QueryAsync<SourceExtent>(new CommandDefinition(
            "SELECT source_id AS SourceId, COUNT(*) AS Items, MIN(published_at) AS OldestMs FROM items GROUP BY source_id",
            transaction: transaction, cancellationToken: cancellationToken));
        var pastRetention = extents.Where(extent => extent.MayHaveExpired(retentionOf(extent.SourceId), now)).Select(extent => extent.SourceId).ToList();
        var shown = pastRetention.Count > 0 ? await shownIds(cancellationToken) : new HashSet<long>();
        foreach (var sourceId in pastRetention)
        {
            var retention = retentionOf(sourceId);
            var expired = (await connection.QueryAsync<long>(new CommandDefinition(ExpiredItemsSql, new
            {
                sourceId,
                // No limit is a bound nothing crosses.
                before = retention.MaxAge is { } age ? (now - age).ToUnixTimeMilliseconds() : long.MinValue,
                newest = retention.MaxItems ?? long.MaxValue,
            }, transaction, cancellationToken: cancellationToken))).ToList();
            var doomed = expired.Where(id => !shown.Contains(id)).ToArray();
            spared += expired.Count - doomed.Length;
            if (doomed.Length == 0)
                continue;
            await DeleteItemsAsync(connection, transaction, doomed, now.ToUnixTimeMilliseconds(), cancellationToken);
            removed[sourceId] = doomed.Length;
        }
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM pruned_items WHERE pruned_at < @forgetBefore",
            new { forgetBefore = (now - IRetentionStore.TombstoneLifetime).ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
        await DbActivityStore.ForgetBeforeAsync(connection, transaction, now, cancellationToken);
        return new PruneResult(removed, spared);
    }

    /// <summary>A source's stored items: how many, and the publication time of the oldest (unix ms).</summary>
    private sealed record SourceExtent(string SourceId, long Items, long OldestMs)
    {
        /// <summary>Whether any item is past <paramref name="retention"/>: more items than it keeps, or one older than it keeps.</summary>
        public bool MayHaveExpired(RetentionSettings retention, DateTimeOffset now) =>
            Items > (retention.MaxItems ?? long.MaxValue)
            || retention.MaxAge is { } age && OldestMs < (now - age).ToUnixTimeMilliseconds();
    }

    /// <summary>
    /// The ids of a source's items older than the age limit (<c>@before</c>), or past its newest <c>@newest</c> (newest by
    /// date, then insertion order), for <c>@sourceId</c>.
    /// </summary>
    protected abstract string ExpiredItemsSql { get; }

    /// <summary>Deletes the items <paramref name="ids"/>, leaving a tombstone of each in <c>pruned_items</c> pruned at <paramref name="nowMs"/>.</summary>
    protected abstract Task DeleteItemsAsync(DbConnection connection, DbTransaction transaction, long[] ids, long nowMs, CancellationToken cancellationToken);
}
