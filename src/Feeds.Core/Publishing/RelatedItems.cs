using System.Collections.Concurrent;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Finds each entry's related articles: items of any source most like it by the words of their title and summary
/// (<see cref="ISearchStore.GetRelatedAsync"/>), never a report of the entry's own story.
/// </summary>
/// <remarks>
/// Looked for when a page is rendered, so kept with the rendered page in the <see cref="RenderCache"/>; and each entry's
/// list is remembered for <see cref="Lifetime"/>, so the render that follows a poll looks only for the new entries' (one
/// indexed query each) rather than for the whole page's. A related item stored meanwhile shows within that time.
/// </remarks>
public sealed class RelatedItems(ISearchStore store, TimeProvider clock)
{
    /// <summary>How many related articles an entry shows.</summary>
    public const int PerEntry = 5;

    /// <summary>How long an entry's list is used before it is looked for again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>Bounds memory: the lists are looked for again when this many are remembered.</summary>
    private const int MaxRemembered = 20_000;

    private readonly ConcurrentDictionary<long, Remembered> _remembered = new();

    /// <summary><paramref name="page"/> with each entry's <see cref="SectionEntry.Related"/> filled in.</summary>
    public async Task<SectionPage> AddToAsync(SectionPage page, CancellationToken cancellationToken)
    {
        var entries = new List<SectionEntry>(page.Entries.Count);
        foreach (var entry in page.Entries)
            entries.Add(entry with { Related = await OfAsync(entry, cancellationToken) });
        return page with { Entries = entries };
    }

    /// <summary>The related articles of one entry, best first.</summary>
    public async Task<IReadOnlyList<StoredItem>> OfAsync(SectionEntry entry, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredItem> story = [entry.Item, .. entry.AlsoReportedBy];
        var storyIds = story.Select(item => item.Id).Order().ToArray();
        var now = clock.GetUtcNow();
        // The story's members are part of the key: the list leaves them out, and another poll may add one.
        if (_remembered.TryGetValue(entry.Item.Id, out var remembered) && now - remembered.At < Lifetime && remembered.StoryIds.SequenceEqual(storyIds))
            return remembered.Items;
        // A few more than shown: a report of the same story that the page did not fold in (another section's source) is dropped.
        var found = await store.GetRelatedAsync(entry.Item, storyIds, PerEntry + 3, cancellationToken);
        // A related article is shown as a link (title, source, address): its bodies are not kept for the lifetime of the list.
        var related = found.Where(item => item.StoryId != entry.Item.StoryId).Take(PerEntry)
            .Select(item => item with { SummaryHtml = null, SummaryText = null, ContentHtml = null }).ToList();
        if (_remembered.Count >= MaxRemembered)
            _remembered.Clear();
        _remembered[entry.Item.Id] = new Remembered(now, storyIds, related);
        return related;
    }

    private sealed record Remembered(DateTimeOffset At, long[] StoryIds, IReadOnlyList<StoredItem> Items);
}
