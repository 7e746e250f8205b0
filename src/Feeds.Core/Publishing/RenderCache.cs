using System.Collections.Concurrent;
using Feeds.Core.Metrics;
using Feeds.Core.Sources;

namespace Feeds.Core.Publishing;

/// <summary>
/// The one cache of rendered documents, feeds and HTML pages alike. A document is known by its address (the absolute
/// URL it is served at, which fixes what it shows and the links in it) and is rendered once per version: the config
/// in force and a number that grows whenever the stored items it shows change (<see cref="ContentVersions"/>). A
/// request for an unchanged document costs no database work and no rendering.
/// </summary>
/// <remarks>
/// One render at a time per document: readers of a changed document wait for its new bytes a moment, and when the
/// render takes longer (a busy machine, a section changing every second) they get the bytes from before the change
/// instead of each rendering it again. A render that fails is reported to <see cref="RenderFaults"/>, and readers get
/// the document's previous bytes when there are any: a stale page is better than none.
/// </remarks>
/// <param name="capacity">How many documents are kept, which bounds memory: when full the cache starts over, and deep archive
/// pages are rendered on demand.</param>
public sealed class RenderCache(RenderFaults faults, TimeProvider clock, int capacity = RenderCache.DefaultCapacity)
{
    /// <summary>The feeds' and pages' bound: every section's pages and feeds in every format, and their recent archive pages.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>How long a reader of a changed document waits for the new bytes before it is given the previous ones.</summary>
    public static readonly TimeSpan FreshBytesWait = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, Slot> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The document at <paramref name="address"/> as of <paramref name="config"/> and <paramref name="version"/>, from the
    /// cache or from <paramref name="render"/>. Read the version before calling, so a change during the render is seen
    /// by the next request. The render is shared by every reader waiting for it, so it takes no reader's cancellation.
    /// </summary>
    public async Task<RenderedDocument> GetAsync(Uri address, FeedsConfig config, long version, Func<Task<RenderedDocument>> render, CancellationToken cancellationToken)
    {
        var document = await LatestAsync(address, config, version, render, cancellationToken);
        // Noted on every serve, not only on the render: readiness stays degraded while readers get a page without the item.
        foreach (var leftOut in document.LeftOut)
            faults.NoteLeftOut(address.PathAndQuery, leftOut);
        return document;
    }

    private async Task<RenderedDocument> LatestAsync(Uri address, FeedsConfig config, long version, Func<Task<RenderedDocument>> render, CancellationToken cancellationToken)
    {
        var slot = SlotOf(address.AbsoluteUri);
        var current = slot.Current;
        if (current is not null && current.Version == version && ReferenceEquals(current.Config, config) && current.Document.IsComplete)
        {
            FeedsMetrics.RecordRenderCache(hit: true);
            return current.Document;
        }
        FeedsMetrics.RecordRenderCache(hit: false);
        var rendering = slot.RenderOnce(() => RenderAsync(address, config, version, render));
        // The same config's previous bytes may serve meanwhile; after a config edit, readers wait for the new ones.
        if (current is not null && ReferenceEquals(current.Config, config)
            && await Task.WhenAny(rendering, Task.Delay(FreshBytesWait, clock, cancellationToken)) != rendering)
            return current.Document;
        try
        {
            return (await rendering.WaitAsync(cancellationToken)).Document;
        }
        catch (Exception) when (current is not null && !cancellationToken.IsCancellationRequested)
        {
            // The render noted its failure; readers get the document as it was before this change, whatever config it was for.
            return current.Document;
        }
    }

    /// <summary>The document's slot; a new one empties a full cache first (a hit never does, so a full cache is not emptied by its own readers).</summary>
    private Slot SlotOf(string key)
    {
        if (_cache.TryGetValue(key, out var slot))
            return slot;
        if (_cache.Count >= capacity)
            _cache.Clear();
        return _cache.GetOrAdd(key, _ => new Slot());
    }

    private async Task<Rendered> RenderAsync(Uri address, FeedsConfig config, long version, Func<Task<RenderedDocument>> render)
    {
        try
        {
            return new Rendered(config, version, await render());
        }
        catch (Exception e)
        {
            faults.NotePageFailed(address.PathAndQuery, e);
            throw;
        }
    }

    private sealed record Rendered(FeedsConfig Config, long Version, RenderedDocument Document);

    /// <summary>One document's latest rendering and the render under way, if any.</summary>
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
