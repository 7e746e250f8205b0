using System.Collections.Concurrent;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// A story as its own page shows it: the lead report (<see cref="StoryLead"/>) and every report of it, newest first, so
/// a reader can follow one event as the reports arrive.
/// </summary>
public sealed record StoryPage(long Id, StoredItem Lead, IReadOnlyList<StoredItem> Reports)
{
    /// <summary>
    /// A page of the story's feed, for <see cref="SectionFeedWriter"/>: up to <paramref name="size"/> reports from
    /// <paramref name="cursor"/> on, newest first, titled by the lead's headline, with the cursors of its neighbours
    /// (RFC 5005 paged feeds, as a section's).
    /// </summary>
    public SectionPage FeedPage(ItemCursor cursor, int size)
    {
        // Scan order as SectionPage.FromScan takes it: newest first for an older page, oldest first for a newer one; the
        // comparison is the store's keyset order, (stored published time, id).
        var inScanOrder = cursor.Direction == PageDirection.Older
            ? Reports.Where(report => (report.StoredPublishedMs, report.Id).CompareTo((cursor.PublishedMs, cursor.Id)) < 0)
            : Reports.Reverse().Where(report => (report.StoredPublishedMs, report.Id).CompareTo((cursor.PublishedMs, cursor.Id)) > 0);
        var section = new Section("story-" + Id, Lead.Title, $"Every report of this story, as it arrives ({Reports.Count} so far)");
        return SectionPage.FromScan(section, cursor, inScanOrder.Take(size + 1).Select(report => new SectionEntry(report, [])).ToList(), size);
    }
}

/// <summary>Reads stories from the store (<see cref="IPublishingStore.GetStoryMembersAsync"/>), for their pages and feeds.</summary>
public sealed class StoryPages(IPublishingStore store)
{
    // Stories read at a store version: asking again whether one exists costs nothing until the store changes.
    private readonly ConcurrentDictionary<long, long> _seenAt = new();

    /// <summary>
    /// The story with the id and every report of it, led by its report from the first of <paramref name="preferredSources"/>
    /// that reported it, else by its earliest; null when there is none.
    /// </summary>
    public async Task<StoryPage?> GetAsync(long storyId, IReadOnlyList<string> preferredSources, CancellationToken cancellationToken)
    {
        var version = store.GetStoreVersion();
        var members = await store.GetStoryMembersAsync([storyId], cancellationToken);
        if (members.Count == 0)
            return null;
        _seenAt[storyId] = version;
        return new StoryPage(storyId, StoryLead.Of(members, preferredSources), members.Reverse().ToList());
    }

    /// <summary>
    /// Whether a story with the id is stored: read from the store only when the store changed since the story was last
    /// read, so a cached story page costs no query. An id that names no story is asked of the store each time.
    /// </summary>
    public async Task<bool> ExistsAsync(long storyId, CancellationToken cancellationToken)
    {
        if (_seenAt.TryGetValue(storyId, out var version) && version == store.GetStoreVersion())
            return true;
        return await GetAsync(storyId, [], cancellationToken) is not null;
    }
}
