namespace Feeds.Core.Storage;

/// <summary>What publishing reads (section pages and feeds): pages of items, the reports of their stories, and whether a source changed.</summary>
public interface IPublishingStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> items of the given sources on the far side of <paramref name="cursor"/>, always
    /// returned newest first (published time, then insertion order for ties): a keyset page, stable however many items
    /// arrive meanwhile.
    /// </summary>
    Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Every stored report of the given stories (<see cref="StoredItem.StoryId"/>), from any source, oldest first (published
    /// time, then insertion order): what a section folds into one entry per story, and what a story's page lists.
    /// </summary>
    Task<IReadOnlyList<StoredItem>> GetStoryMembersAsync(IReadOnlyCollection<long> storyIds, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of up to <paramref name="limit"/> stories with at least <paramref name="minMembers"/> reports, the story
    /// whose latest report is newest first.
    /// </summary>
    Task<IReadOnlyList<long>> GetLatestStoriesAsync(int minMembers, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The stories whose reports were stored or changed after <paramref name="after"/>, each with its latest such change,
    /// earliest first, at most <paramref name="limit"/>: the stories whose feeds changed since, for their WebSub pings (a
    /// story's feeds change when a report joins it, and when one of its reports is edited). Asked again after the last
    /// one returned, it goes on where it stopped.
    /// </summary>
    Task<IReadOnlyList<(long StoryId, ItemChange Last)>> GetStoriesChangedAfterAsync(ItemChange after, int limit, CancellationToken cancellationToken);

    /// <summary>The latest change of a stored item; <see cref="ItemChange.None"/> when there is none.</summary>
    Task<ItemChange> GetLastChangeAsync(CancellationToken cancellationToken);

    /// <summary>Grows each time the source's items change (a poll adds or changes one, retention deletes one); 0 before any. Cached pages key on it.</summary>
    long GetSourceVersion(string sourceId);

    /// <summary>
    /// Grows each time any source's version grows; 0 before any change. One read tells whether anything changed since
    /// it was last read, however many sources there are: what a page of every section (the index) is versioned by.
    /// </summary>
    long GetStoreVersion();
}
