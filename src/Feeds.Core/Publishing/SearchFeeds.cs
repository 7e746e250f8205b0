using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>Why a search cannot be run, for a 400 answer.</summary>
public sealed record SearchRefusal(string Reason);

/// <summary>
/// Saved searches as feeds and pages: the items of the configured sources that match a <see cref="SearchQuery"/>, newest
/// stored first, paged with the section feeds' cursors and written by the same writers (a search is published as a section
/// whose items are its matches, titled by the query).
/// </summary>
/// <remarks>
/// Rendered documents are kept in a <see cref="RenderCache"/> of their own, keyed by the canonical query and versioned by
/// the store's version (a match may come from any source): a reader polling a saved search gets 304s until something
/// is stored, and any number of distinct queries never pushes the section feeds out of their cache.
/// </remarks>
public sealed class SearchFeeds(ISearchStore store, ContentVersions versions, RenderFaults faults, TimeProvider clock)
{
    private readonly RenderCache _cache = new(faults, clock);

    /// <summary>
    /// The sources <paramref name="query"/> searches: the configured ones, narrowed to its <c>source:</c> and
    /// <c>section:</c> filters; a refusal when a filter names a source or section the config does not have.
    /// </summary>
    public static SearchRefusal? SourcesOf(FeedsConfig config, SearchQuery query, out IReadOnlyList<string> sourceIds)
    {
        sourceIds = [];
        if (query.Sources.FirstOrDefault(id => config.FindSource(id) is null) is { } unknownSource)
            return new SearchRefusal($"source:{unknownSource} names no configured source; the sources are listed on /status");
        if (query.Sections.FirstOrDefault(id => config.FindSection(id) is null) is { } unknownSection)
            return new SearchRefusal($"section:{unknownSection} names no section; the sections are listed on /");
        sourceIds = config.Sources
            .Where(source => query.Sources.Count == 0 || query.Sources.Contains(source.Id))
            .Where(source => query.Sections.Count == 0 || query.Sections.Any(source.Sections.Contains))
            .Select(source => source.Id)
            .ToList();
        return null;
    }

    /// <summary>The search as a section page: its matches from <paramref name="cursor"/> on, up to <paramref name="size"/>.</summary>
    public async Task<SectionPage> GetPageAsync(SearchQuery query, IReadOnlyList<string> sourceIds, ItemCursor cursor, int size,
        CancellationToken cancellationToken)
    {
        // One more than the page: whether there is a page beyond it. Scan order as SectionPage.FromScan takes it.
        var found = await store.SearchAsync(query, sourceIds, cursor, size + 1, cancellationToken);
        var inScanOrder = cursor.Direction == PageDirection.Older ? found : found.Reverse().ToList();
        return SectionPage.FromScan(AsSection(query), cursor, inScanOrder.Select(item => new SectionEntry(item, [])).ToList(), size);
    }

    /// <summary>The search's feed in <paramref name="format"/>, from the cache or rendered.</summary>
    public Task<RenderedDocument> GetFeedAsync(FeedsConfig config, SearchQuery query, IReadOnlyList<string> sourceIds, OutputFormat format,
        ItemCursor cursor, Uri baseUri, CancellationToken cancellationToken)
    {
        var links = new SearchLinks(baseUri, query);
        return GetAsync(links.Feed(format, cursor), config, async () =>
        {
            var page = await GetPageAsync(query, sourceIds, cursor, config.Publishing.ItemsPerFeed, CancellationToken.None);
            return SectionFeedWriter.Render(page, format, links, hub: null);
        }, cancellationToken);
    }

    /// <summary>A document about this search (its page for people, say) at <paramref name="address"/>, kept like its feeds.</summary>
    public Task<RenderedDocument> GetAsync(Uri address, FeedsConfig config, Func<Task<RenderedDocument>> render, CancellationToken cancellationToken) =>
        _cache.GetAsync(address, config, versions.All(), render, cancellationToken);

    /// <summary>The section a search is published as: its id (which the feed's id derives from) and title are the canonical query.</summary>
    private static Section AsSection(SearchQuery query) =>
        new("search:" + query.Canonical, $"Search: {query.Canonical}", $"Items of Feeds' sources matching {query.Canonical}, newest stored first.");
}
