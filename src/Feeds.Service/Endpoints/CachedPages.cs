using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Pages;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The HTML pages for people as documents of the <see cref="RenderCache"/>, the same cache the feeds are served from:
/// the index is rendered once per change of any section (or of the config), a section page once per change of its
/// sources (with its entries' related articles), a story's page and a search page once per change of the store, and
/// each at most once per <see cref="RenderCache.RefreshInterval"/> while polls keep changing it. The pages show only
/// stored data and absolute times, so kept bytes stay true until the data changes.
/// </summary>
/// <param name="services">The application's services, not a request's: a render is shared by every reader waiting for
/// it and may outlive the request that started it.</param>
internal sealed class CachedPages(SectionPages pages, StoryPages stories, RelatedItems related, SearchFeeds searches, RenderCache cache,
    ContentVersions versions, RenderFaults faults, IServiceProvider services, TimeProvider clock)
{
    private const int HeadlinesOnIndex = 5;

    /// <summary><c>/</c>: every section with its latest headlines.</summary>
    public Task<RenderedDocument> IndexAsync(FeedsConfig config, Uri baseUri, CancellationToken cancellationToken) =>
        cache.GetAsync(baseUri, config, versions.All(), () => RenderIndexAsync(config, baseUri), cancellationToken);

    /// <summary><c>/sections/{id}</c> and its older pages (<c>?before=</c>).</summary>
    public Task<RenderedDocument> SectionAsync(FeedsConfig config, Section section, ItemCursor cursor, Uri baseUri, CancellationToken cancellationToken)
    {
        var links = new SectionLinks(baseUri, section.Id);
        return cache.GetAsync(links.PageAt(cursor), config, versions.Section(config, section), async () =>
        {
            var page = await related.AddToAsync(
                await pages.GetAsync(config, section, cursor, config.Publishing.ItemsPerFeed, CancellationToken.None), CancellationToken.None);
            var leftOut = new List<LeftOutItem>();
            var html = await HtmlPage.RenderBytesAsync<SectionStoriesPage>(services, new Dictionary<string, object?>
            {
                [nameof(SectionStoriesPage.Page)] = page,
                [nameof(SectionStoriesPage.Links)] = links,
                [nameof(SectionStoriesPage.LeftOut)] = leftOut,
            });
            return new RenderedDocument(html, HtmlPage.ContentType, clock.GetUtcNow(), leftOut);
        }, cancellationToken);
    }

    /// <summary><c>/stories/{id}</c>: every report of a story; null when no story has the id.</summary>
    public async Task<RenderedDocument?> StoryAsync(FeedsConfig config, long storyId, Uri baseUri, CancellationToken cancellationToken)
    {
        // Any poll may add a report to the story: the page is kept while the store is unchanged.
        var version = versions.All();
        if (!await stories.ExistsAsync(storyId, cancellationToken))
            return null;
        var links = SectionLinks.ForStory(baseUri, storyId);
        return await cache.GetAsync(links.Page, config, version, async () =>
        {
            var story = await stories.GetAsync(storyId, config.Stories.PreferredSources, CancellationToken.None)
                ?? throw new InvalidOperationException($"story {storyId} was removed while its page was rendered");
            var leftOut = new List<LeftOutItem>();
            var html = await HtmlPage.RenderBytesAsync<StoryReportsPage>(services, new Dictionary<string, object?>
            {
                [nameof(StoryReportsPage.Story)] = story,
                [nameof(StoryReportsPage.Related)] = await related.OfAsync(new SectionEntry(story.Lead, story.Reports.Where(report => report.Id != story.Lead.Id).ToList()), CancellationToken.None),
                [nameof(StoryReportsPage.Links)] = links,
                [nameof(StoryReportsPage.LeftOut)] = leftOut,
            });
            return new RenderedDocument(html, HtmlPage.ContentType, clock.GetUtcNow(), leftOut);
        }, cancellationToken);
    }

    /// <summary><c>/search?q=</c> and its older pages, kept with the search's feeds (<see cref="SearchFeeds"/>).</summary>
    public Task<RenderedDocument> SearchAsync(FeedsConfig config, SearchQuery query, IReadOnlyList<string> sourceIds, ItemCursor cursor, Uri baseUri,
        CancellationToken cancellationToken)
    {
        var links = new SearchLinks(baseUri, query);
        return searches.GetAsync(links.PageAt(cursor), config, async () =>
        {
            var page = await searches.GetPageAsync(query, sourceIds, cursor, config.Publishing.ItemsPerFeed, CancellationToken.None);
            var leftOut = new List<LeftOutItem>();
            var html = await HtmlPage.RenderBytesAsync<SearchPage>(services, new Dictionary<string, object?>
            {
                [nameof(SearchPage.Typed)] = query.Canonical,
                [nameof(SearchPage.Page)] = page,
                [nameof(SearchPage.Links)] = links,
                [nameof(SearchPage.LeftOut)] = leftOut,
            });
            return new RenderedDocument(html, HtmlPage.ContentType, clock.GetUtcNow(), leftOut);
        }, cancellationToken);
    }

    private async Task<RenderedDocument> RenderIndexAsync(FeedsConfig config, Uri baseUri)
    {
        var sections = new List<IndexSection>(config.Sections.Count);
        var whole = true;
        foreach (var section in config.Sections)
        {
            // One section that cannot be read does not take the index of every other section with it.
            SectionPage? latest = null;
            try
            {
                latest = await pages.GetAsync(config, section, ItemCursor.Newest, HeadlinesOnIndex, CancellationToken.None);
            }
            catch (Exception e)
            {
                faults.NotePageFailed($"/ (section {section.Id})", e);
                whole = false;
            }
            sections.Add(new IndexSection(section, new SectionLinks(baseUri, section.Id), latest));
        }
        var leftOut = new List<LeftOutItem>();
        var html = await HtmlPage.RenderBytesAsync<IndexPage>(services, new Dictionary<string, object?>
        {
            [nameof(IndexPage.Sections)] = sections,
            [nameof(IndexPage.LeftOut)] = leftOut,
        });
        // Last-Modified is the render's time, not the newest headline's: a config edit (a section renamed) changes the
        // page without a newer item, and a client asking If-Modified-Since must not be told it has not changed.
        return new RenderedDocument(html, HtmlPage.ContentType, clock.GetUtcNow(), leftOut, isComplete: whole);
    }
}
