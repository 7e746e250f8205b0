using System.Collections.Concurrent;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Serves rendered section feeds. Each (section, format, page, base URL) is rendered and compressed once and
/// kept until one of the section's sources changes (or the config does), so a request for an unchanged feed
/// costs no database work and no compression.
/// </summary>
public sealed class SectionFeeds(IFeedStore store, SectionPages pages)
{
    /// <summary>Bounds memory: deep archive pages are rendered on demand and the cache starts over when full.</summary>
    private const int MaxCachedFeeds = 1024;

    private readonly ConcurrentDictionary<(string Section, OutputFormat Format, string Cursor, Uri Base), Cached> _cache = new();

    public async Task<RenderedFeed> GetAsync(FeedsConfig config, Section section, OutputFormat format, ItemCursor cursor, Uri baseUri, CancellationToken cancellationToken)
    {
        var key = (section.Id, format, cursor.Direction + cursor.Token, baseUri);
        var version = SectionVersion(config, section);
        if (_cache.TryGetValue(key, out var cached) && cached.Version == version && ReferenceEquals(cached.Config, config))
        {
            FeedsMetrics.RecordRenderCache(hit: true);
            return cached.Feed;
        }
        FeedsMetrics.RecordRenderCache(hit: false);
        var page = await pages.GetAsync(config, section, cursor, config.Publishing.ItemsPerFeed, cancellationToken);
        var rendered = SectionFeedWriter.Render(page, format, new SectionLinks(baseUri, section.Id), config.Publishing.Hub);
        if (_cache.Count >= MaxCachedFeeds)
            _cache.Clear();
        _cache[key] = new Cached(config, version, rendered);
        return rendered;
    }

    /// <summary>
    /// Grows whenever one of the section's sources changes its items: per-source versions only grow, so their sum
    /// does too. Read before rendering, so a change during a render is seen by the next request.
    /// </summary>
    public long SectionVersion(FeedsConfig config, Section section) =>
        config.SourcesOf(section).Sum(source => store.GetSourceVersion(source.Id));

    private sealed record Cached(FeedsConfig Config, long Version, RenderedFeed Feed);
}
