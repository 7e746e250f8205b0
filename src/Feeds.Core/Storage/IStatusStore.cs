namespace Feeds.Core.Storage;

/// <summary>What status and health read: every source's state, item statistics per source, and whether the store answers.</summary>
public interface IStatusStore
{
    /// <summary>
    /// Every saved source state (sources no longer configured included), each showing a poll that could not be saved, then
    /// each source known only by such a poll: one at a time, in no order, so a reader keeps only what it needs of each
    /// (at 20,000 sources the full rows are tens of megabytes that the status never shows).
    /// </summary>
    IAsyncEnumerable<SourceState> ReadSourceStatesAsync(CancellationToken cancellationToken);

    /// <summary>Per source that has items: how many are stored, their date range and when the last new one arrived.</summary>
    Task<IReadOnlyDictionary<string, ItemStatistics>> GetItemStatisticsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Grows each time something the other reads answer may have changed: a poll saved (its state, whatever it did to
    /// items) or lost, items deleted. Read it first: a view built from reads made after it stays current while it stays
    /// the same, so a status page is rebuilt once per change rather than once per request. On SQLite it counts this
    /// process's writes only (one process owns the file); on PostgreSQL it counts the saves of every process sharing the database.
    /// </summary>
    long ChangeCount { get; }

    /// <summary>True when the database answers a query.</summary>
    Task<bool> IsHealthyAsync(CancellationToken cancellationToken);
}

/// <param name="Oldest">The oldest item date stored (published, or first seen when the feed gave none or an impossible one).</param>
/// <param name="LastNewItemAt">When the most recent new item was first stored.</param>
public sealed record ItemStatistics(long Count, DateTimeOffset Oldest, DateTimeOffset Newest, DateTimeOffset LastNewItemAt);
