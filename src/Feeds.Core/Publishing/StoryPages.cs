using System.Collections.Concurrent;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// A story as its own page shows it: the lead report (the earliest) and every report of it, newest first, so a reader
/// can follow one event as the reports arrive.
/// </summary>
public sealed record StoryPage(long Id, StoredItem Lead, IReadOnlyList<StoredItem> Reports)
{
    /// <summary>
    /// The story as a page of a feed, for <see cref="SectionFeedWriter"/>: one entry per report, newest first, titled by
    /// the lead's headline.
    /// </summary>
    public SectionPage AsFeedPage() =>
        new(new Section("story-" + Id, Lead.Title, $"Every report of this story, as it arrives ({Reports.Count} so far)"),
            ItemCursor.Newest, Reports.Select(report => new SectionEntry(report, [])).ToList(), Older: null, Newer: null);
}

/// <summary>Reads stories from the store (<see cref="IPublishingStore.GetStoryMembersAsync"/>), for their pages and feeds.</summary>
public sealed class StoryPages(IPublishingStore store)
{
    // Stories read at a store version: asking again whether one exists costs nothing until the store changes.
    private readonly ConcurrentDictionary<long, long> _seenAt = new();

    /// <summary>The story with the id, with at most <paramref name="size"/> of its newest reports; null when there is none.</summary>
    public async Task<StoryPage?> GetAsync(long storyId, int size, CancellationToken cancellationToken)
    {
        var version = store.GetStoreVersion();
        var members = await store.GetStoryMembersAsync([storyId], cancellationToken);
        if (members.Count == 0)
            return null;
        _seenAt[storyId] = version;
        return new StoryPage(storyId, members[0], members.Reverse().Take(size).ToList());
    }

    /// <summary>
    /// Whether a story with the id is stored: read from the store only when the store changed since the story was last
    /// read, so a cached story page costs no query. An id that names no story is asked of the store each time.
    /// </summary>
    public async Task<bool> ExistsAsync(long storyId, CancellationToken cancellationToken)
    {
        if (_seenAt.TryGetValue(storyId, out var version) && version == store.GetStoreVersion())
            return true;
        return await GetAsync(storyId, 1, cancellationToken) is not null;
    }
}
