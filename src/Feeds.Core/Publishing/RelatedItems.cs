using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Finds each entry's related articles: items of any source most like it by the words of their title and summary
/// (<see cref="ISearchStore.GetRelatedAsync"/>), never a report of the entry's own story.
/// </summary>
/// <remarks>
/// Looked for when a page is rendered, and kept with the rendered page in the <see cref="RenderCache"/>: the cost is one
/// indexed query per entry, paid once per change of the section, not per request. A related item from another section's
/// source appears at the next change of this one.
/// </remarks>
public sealed class RelatedItems(ISearchStore store)
{
    /// <summary>How many related articles an entry shows.</summary>
    public const int PerEntry = 5;

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
        // A few more than shown: a report of the same story that the page did not fold in (another section's source) is dropped.
        var found = await store.GetRelatedAsync(entry.Item, story.Select(item => item.Id).ToList(), PerEntry + 3, cancellationToken);
        return found.Where(item => item.StoryId != entry.Item.StoryId).Take(PerEntry).ToList();
    }
}
