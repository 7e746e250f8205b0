using System.Collections.Concurrent;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Serves rendered section feeds. Each (section, format, base URL) is rendered once and kept until the
/// store reports a change, so a request for an unchanged feed costs no database work.
/// </summary>
public sealed class SectionFeeds(IFeedStore store)
{
    private readonly ConcurrentDictionary<(string Section, OutputFormat Format, Uri Base), (long Version, RenderedFeed Feed)> _cache = new();

    public async Task<RenderedFeed> GetAsync(FeedsConfig config, Section section, OutputFormat format, Uri baseUri, CancellationToken cancellationToken)
    {
        var key = (section.Id, format, baseUri);
        var version = store.ChangeVersion;
        if (_cache.TryGetValue(key, out var cached) && cached.Version == version)
            return cached.Feed;
        var items = await LatestAsync(config, section, config.Publishing.ItemsPerFeed, cancellationToken);
        var rendered = SectionFeedWriter.Render(section, items, format, new SectionLinks(baseUri, section.Id));
        _cache[key] = (version, rendered);
        return rendered;
    }

    public Task<IReadOnlyList<StoredItem>> LatestAsync(FeedsConfig config, Section section, int limit, CancellationToken cancellationToken) =>
        store.GetLatestItemsAsync(config.SourcesOf(section).Select(s => s.Id).ToList(), limit, cancellationToken);
}
