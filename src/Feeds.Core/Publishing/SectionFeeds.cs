using System.Collections.Concurrent;
using Feeds.Core.Metrics;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Publishing;

/// <summary>
/// Serves rendered section feeds. Each (section, format, page, base URL) is rendered once and kept until one of
/// the section's sources changes (or the config does), so a request for an unchanged feed costs no database
/// work. One render at a time per feed: readers of a changed feed wait for its new bytes a moment, and when the
/// render takes longer (a busy machine, a section changing every second) they get the bytes from before the change
/// instead of each rendering it again. A render that fails is reported to <see cref="RenderFaults"/>, and readers get
/// the feed's previous bytes when there are any: a stale page is better than none.
/// </summary>
public sealed class SectionFeeds(IPublishingStore store, SectionPages pages, RenderFaults faults, TimeProvider clock)
{
    /// <summary>Bounds memory: deep archive pages are rendered on demand and the cache starts over when full.</summary>
    private const int MaxCachedFeeds = 1024;

    /// <summary>How long a reader of a changed feed waits for the new bytes before it is given the previous ones.</summary>
    public static readonly TimeSpan FreshBytesWait = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<(string Section, OutputFormat Format, string Cursor, Uri Base), Slot> _cache = new();

    public async Task<RenderedFeed> GetAsync(FeedsConfig config, Section section, OutputFormat format, ItemCursor cursor, Uri baseUri, CancellationToken cancellationToken)
    {
        var feed = await LatestAsync(config, section, format, cursor, baseUri, cancellationToken);
        // Noted on every serve, not only on the render: readiness stays degraded while readers get a page without the item.
        foreach (var leftOut in feed.LeftOut)
            faults.NoteLeftOut(FeedPath(section, format, cursor, baseUri), leftOut);
        return feed;
    }

    private async Task<RenderedFeed> LatestAsync(FeedsConfig config, Section section, OutputFormat format, ItemCursor cursor, Uri baseUri, CancellationToken cancellationToken)
    {
        var version = SectionVersion(config, section);
        if (_cache.Count >= MaxCachedFeeds)
            _cache.Clear();
        var slot = _cache.GetOrAdd((section.Id, format, cursor.Direction + cursor.Token, baseUri), _ => new Slot());
        var current = slot.Current;
        if (current is not null && current.Version == version && ReferenceEquals(current.Config, config))
        {
            FeedsMetrics.RecordRenderCache(hit: true);
            return current.Feed;
        }
        FeedsMetrics.RecordRenderCache(hit: false);
        var rendering = slot.RenderOnce(() => RenderAsync(config, section, format, cursor, baseUri, version));
        // The same config's previous bytes may serve meanwhile; after a config edit, readers wait for the new ones.
        if (current is not null && ReferenceEquals(current.Config, config)
            && await Task.WhenAny(rendering, Task.Delay(FreshBytesWait, clock, cancellationToken)) != rendering)
            return current.Feed;
        try
        {
            return (await rendering.WaitAsync(cancellationToken)).Feed;
        }
        catch (Exception) when (current is not null && !cancellationToken.IsCancellationRequested)
        {
            // The render noted its failure; readers get the feed as it was before this change, whatever config it was for.
            return current.Feed;
        }
    }

    /// <summary>
    /// Grows whenever one of the section's sources changes its items: per-source versions only grow, so their sum
    /// does too. Read before rendering, so a change during a render is seen by the next request.
    /// </summary>
    public long SectionVersion(FeedsConfig config, Section section) =>
        config.SourcesOf(section).Sum(source => store.GetSourceVersion(source.Id));

    // Shared by every reader waiting for it, so no single reader's cancellation stops it.
    private async Task<Rendered> RenderAsync(FeedsConfig config, Section section, OutputFormat format, ItemCursor cursor, Uri baseUri, long version)
    {
        try
        {
            var page = await pages.GetAsync(config, section, cursor, config.Publishing.ItemsPerFeed, CancellationToken.None);
            return new Rendered(config, version, SectionFeedWriter.Render(page, format, new SectionLinks(baseUri, section.Id), config.Publishing.Hub));
        }
        catch (Exception e)
        {
            faults.NotePageFailed(FeedPath(section, format, cursor, baseUri), e);
            throw;
        }
    }

    private static string FeedPath(Section section, OutputFormat format, ItemCursor cursor, Uri baseUri) =>
        new SectionLinks(baseUri, section.Id).Feed(format, cursor).PathAndQuery;

    private sealed record Rendered(FeedsConfig Config, long Version, RenderedFeed Feed);

    /// <summary>One feed's latest rendering and the render under way, if any.</summary>
    private sealed class Slot
    {
        private readonly Lock _lock = new();
        private Task<Rendered>? _rendering;

        public Rendered? Current { get; private set; }

        public Task<Rendered> RenderOnce(Func<Task<Rendered>> render)
        {
            lock (_lock)
            {
                if (_rendering is { IsCompleted: false } running)
                    return running;
                return _rendering = RenderAndKeepAsync(render);
            }
        }

        // Current is set before the task completes, so a reader that saw the task finish also sees its bytes.
        private async Task<Rendered> RenderAndKeepAsync(Func<Task<Rendered>> render)
        {
            var rendered = await render();
            Current = rendered;
            return rendered;
        }
    }
}
