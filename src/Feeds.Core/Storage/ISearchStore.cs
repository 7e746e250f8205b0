using Feeds.Core.Sources;

namespace Feeds.Core.Storage;

/// <summary>
/// What search and related articles read (Publishing) from the full-text index of every item's title and summary, which
/// the store keeps in the transaction that changes the items: a poll's new items are found once it commits, a pruned
/// item no longer is.
/// </summary>
public interface ISearchStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> items of the given sources that have every word and phrase of the query and none of
    /// its exclusions, on the far side of <paramref name="cursor"/> in the order the items were stored (by id, which
    /// <paramref name="cursor"/> carries): always returned newest stored first. A saved search is read as a feed of what
    /// arrives, and the index can walk its matches in that order without sorting them all.
    /// </summary>
    Task<IReadOnlyList<StoredItem>> SearchAsync(SearchQuery query, IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit,
        CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> items of any source most like <paramref name="item"/> by the words of their titles and
    /// summaries (title words count more), best first; never the item itself nor one in <paramref name="excludedIds"/>.
    /// </summary>
    Task<IReadOnlyList<StoredItem>> GetRelatedAsync(StoredItem item, IReadOnlyCollection<long> excludedIds, int limit, CancellationToken cancellationToken);
}
