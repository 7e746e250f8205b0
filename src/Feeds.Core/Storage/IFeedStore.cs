using Feeds.Core.Normalization;

namespace Feeds.Core.Storage;

/// <summary>
/// Everything the pipeline and the endpoints ask of storage. SQL lives behind this seam so a second
/// dialect (PostgreSQL) can be added without touching the pipeline.
/// </summary>
public interface IFeedStore
{
    /// <summary>Creates or upgrades the schema. Idempotent.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    Task<SourceState?> GetSourceStateAsync(string sourceId, CancellationToken cancellationToken);

    Task<IReadOnlyList<SourceState>> GetSourceStatesAsync(CancellationToken cancellationToken);

    /// <summary>item_key → content_hash for a source, to skip unchanged items before normalizing them.</summary>
    Task<IReadOnlyDictionary<string, string>> GetItemHashesAsync(string sourceId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes one poll in one transaction: new and changed items, then the source's state (validators
    /// included), so a crash never saves validators for items that were not stored.
    /// </summary>
    Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken);

    /// <summary>One page of a set of sources' items from a cursor, always returned newest first (ties by insertion order).</summary>
    Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken);

    /// <summary>Items with one of the link keys (any time) or headline keys (published within [from, to]), oldest first.</summary>
    Task<IReadOnlyList<StoredItem>> GetStoryMatchesAsync(IReadOnlyCollection<string> sourceIds, IReadOnlyCollection<string> linkKeys,
        IReadOnlyCollection<string> headlineKeys, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Grows each time a poll of this source changes its items; 0 before any.</summary>
    long GetSourceVersion(string sourceId);

    /// <summary>Per source: how many items are stored, their date range and when the last new one arrived.</summary>
    Task<IReadOnlyDictionary<string, ItemStatistics>> GetItemStatisticsAsync(CancellationToken cancellationToken);

    /// <summary>True when the database answers a query.</summary>
    Task<bool> IsHealthyAsync(CancellationToken cancellationToken);

    /// <summary>Why writes fail, from the first failed write until the next one that succeeds; null while writes succeed.</summary>
    StoreFault? WriteFault => null;
}

public sealed record SaveResult(int Added, int Updated);

/// <param name="Oldest">The oldest item date stored (published, or first seen when the feed gave none).</param>
/// <param name="LastNewItemAt">When the most recent new item was first stored.</param>
public sealed record ItemStatistics(long Count, DateTimeOffset Oldest, DateTimeOffset Newest, DateTimeOffset LastNewItemAt);
