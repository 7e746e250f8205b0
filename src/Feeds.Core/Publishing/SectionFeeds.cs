using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Serves rendered section feeds through the <see cref="RenderCache"/>: each (section, format, page, base URL) is
/// rendered once, with its entries' related articles, and kept until one of the section's sources changes (or the config does).
/// </summary>
public sealed class SectionFeeds(SectionPages pages, RelatedItems related, RenderCache cache, ContentVersions versions)
{
    public Task<RenderedDocument> GetAsync(FeedsConfig config, Section section, OutputFormat format, ItemCursor cursor, Uri baseUri, CancellationToken cancellationToken)
    {
        var links = new SectionLinks(baseUri, section.Id);
        return cache.GetAsync(links.Feed(format, cursor), config, versions.Section(config, section), async () =>
        {
            var page = await related.AddToAsync(
                await pages.GetAsync(config, section, cursor, config.Publishing.ItemsPerFeed, CancellationToken.None), CancellationToken.None);
            return SectionFeedWriter.Render(page, format, links, config.Publishing.Hub);
        }, cancellationToken);
    }
}
