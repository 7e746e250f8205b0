using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>A story as a section shows it: its lead report (<see cref="StoryLead"/>), and the same story from other sources.</summary>
public sealed record SectionEntry(StoredItem Item, IReadOnlyList<StoredItem> AlsoReportedBy)
{
    /// <summary>Other stories most like this one (<see cref="RelatedItems"/>), best first; empty until they are looked for.</summary>
    public IReadOnlyList<StoredItem> Related { get; init; } = [];
}

/// <summary>One page of a section, newest first, with the cursors of its neighbours (RFC 5005 paged feeds).</summary>
/// <param name="Cursor">The cursor the page was asked for; <see cref="ItemCursor.Newest"/> for the first page.</param>
/// <param name="Older">The cursor of the next (older) page, null on the last page.</param>
/// <param name="Newer">The cursor of the previous (newer) page, null on the first page.</param>
public sealed record SectionPage(Section Section, ItemCursor Cursor, IReadOnlyList<SectionEntry> Entries, ItemCursor? Older, ItemCursor? Newer)
{
    public bool IsFirst => Newer is null;

    /// <summary>
    /// The page of up to <paramref name="size"/> entries asked for from <paramref name="cursor"/>, from
    /// <paramref name="scanned"/>: the entries found in scan order (newest first for an older page, oldest first for a
    /// newer one), one more than the page holds when there are more beyond it.
    /// </summary>
    public static SectionPage FromScan(Section section, ItemCursor cursor, IReadOnlyList<SectionEntry> scanned, int size)
    {
        var more = scanned.Count > size;
        var page = scanned.Take(size).ToList();
        if (cursor.Direction == PageDirection.Newer)
            page.Reverse();
        if (page.Count == 0)
            return new SectionPage(section, cursor, [], null, cursor == ItemCursor.Newest ? null : cursor with { Direction = PageDirection.Newer });
        var isFirst = cursor.Direction == PageDirection.Older ? cursor == ItemCursor.Newest : !more;
        var isLast = cursor.Direction == PageDirection.Older ? !more : false;
        return new SectionPage(section, cursor, page,
            isLast ? null : ItemCursor.After(page[^1].Item),
            isFirst ? null : ItemCursor.Before(page[0].Item));
    }
}

/// <summary>
/// Builds section pages from the store: the section's sources, filtered by its rules, with one entry per story
/// (<see cref="StoredItem.StoryId"/>, placed when the items were stored: see <see cref="Normalization.SameStory"/>). The lead of the reports
/// the section shows (<see cref="StoryLead"/>: the section's preferred source's, else the earliest) is the entry, and its
/// other reports the section shows are kept as "also reported by".
/// </summary>
public sealed class SectionPages(IPublishingStore store)
{
    private const int ChunkSize = 200;

    public async Task<SectionPage> GetAsync(FeedsConfig config, Section section, ItemCursor cursor, int size, CancellationToken cancellationToken)
    {
        var sources = config.SourcesOf(section).ToDictionary(s => s.Id);
        var sourceIds = sources.Keys.ToList();
        // Entries in scan order: newest→oldest for an older page, oldest→newest for a newer one.
        var scanned = new List<SectionEntry>();
        var scan = cursor;
        // Twice what the page shows, plus the one that tells whether there is more, covers reports grouped into stories and
        // items a rule hides as a rule; the index's five headlines then read a dozen items a section, not two hundred.
        var chunkSize = Math.Min(ChunkSize, 2 * (size + 1));
        while (scanned.Count <= size)
        {
            var chunk = await store.GetItemsAsync(sourceIds, scan, chunkSize, cancellationToken);
            if (chunk.Count == 0)
                break;
            var inScanOrder = cursor.Direction == PageDirection.Older ? chunk : chunk.Reverse().ToList();
            scan = cursor.Direction == PageDirection.Older ? ItemCursor.After(inScanOrder[^1]) : ItemCursor.Before(inScanOrder[^1]);
            scanned.AddRange(await EntriesAsync(config, section, sources, inScanOrder, cancellationToken));
            if (chunk.Count < chunkSize)
                break;
        }
        return SectionPage.FromScan(section, cursor, scanned, size);
    }

    private async Task<IEnumerable<SectionEntry>> EntriesAsync(FeedsConfig config, Section section, Dictionary<string, Source> sources,
        IReadOnlyList<StoredItem> items, CancellationToken cancellationToken)
    {
        var shown = items.Where(item => Shows(config, section, sources, item)).ToList();
        if (shown.Count == 0)
            return [];
        var members = (await store.GetStoryMembersAsync(shown.Select(i => i.StoryId).Distinct().ToList(), cancellationToken))
            .Where(member => Shows(config, section, sources, member))
            .ToLookup(member => member.StoryId);
        var preferredSources = config.PreferredSourcesOf(section);
        var entries = new List<SectionEntry>();
        foreach (var item in shown)
        {
            // Every other report the section shows is folded into the story's lead, which is the entry.
            var others = members[item.StoryId].Where(m => m.Id != item.Id).ToList();
            if (StoryLead.Of([item, .. others], preferredSources).Id != item.Id)
                continue;
            entries.Add(new SectionEntry(item, others));
        }
        return entries;
    }

    private static bool Shows(FeedsConfig config, Section section, Dictionary<string, Source> sources, StoredItem item) =>
        sources.TryGetValue(item.SourceId, out var source)
        && config.SectionShows(section, source, new RuleSubject(item.Title, item.SummaryText, item.Categories, item.SourceLanguage));
}
