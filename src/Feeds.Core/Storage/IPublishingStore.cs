namespace Feeds.Core.Storage;

/// <summary>What publishing reads (section pages and feeds): pages of items, the other reports of their stories, and whether a source changed.</summary>
public interface IPublishingStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> items of the given sources on the far side of <paramref name="cursor"/>, always
    /// returned newest first (published time, then insertion order for ties): a keyset page, stable however many items
    /// arrive meanwhile.
    /// </summary>
    Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Items of the given sources with one of the link keys (published at any time) or one of the headline keys (published
    /// within [<paramref name="from"/>, <paramref name="to"/>]), oldest first.
    /// </summary>
    Task<IReadOnlyList<StoredItem>> GetStoryMatchesAsync(IReadOnlyCollection<string> sourceIds, IReadOnlyCollection<string> linkKeys,
        IReadOnlyCollection<string> headlineKeys, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Grows each time the source's items change (a poll adds or changes one, retention deletes one); 0 before any. Cached pages key on it.</summary>
    long GetSourceVersion(string sourceId);

    /// <summary>
    /// Grows each time any source's version grows; 0 before any change. One read tells whether anything changed since
    /// it was last read, however many sources there are: what a page of every section (the index) is versioned by.
    /// </summary>
    long GetStoreVersion();
}
