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
/// <para>Stale while revalidate (as RFC 5861 names it for caches): a changed document is rendered again at most once per
/// <see cref="RefreshInterval"/>, one render at a time, and never on a reader's thread. The reader whose request starts
/// a render waits <see cref="FreshBytesWait"/> for it at most; every other reader of a document with kept bytes of the
/// same config gets them at once. So under constant polling a page costs one render per interval, however many polls
/// and readers there are, and readers never queue behind a render.</para>
/// <para>The freshness promise: a change shows to every request made <see cref="RefreshInterval"/> plus two renders after it
/// (a render may be under way when it is stored, and the next starts an interval after that one at the latest).</para>
/// <para>After a config edit readers wait for the new bytes. A render that fails is reported to <see cref="RenderFaults"/>,
/// and readers get the document's previous bytes when there are any: a stale page is better than none.</para>
/// </remarks>
/// <param name="capacity">How many documents are kept, which bounds memory: when full the cache starts over, and deep archive
/// pages are rendered on demand.</param>
public sealed class RenderCache(RenderFaults faults, TimeProvider clock, int capacity = RenderCache.DefaultCapacity)
{
    /// <summary>The feeds' and pages' bound: every section's pages and feeds in every format, and their recent archive pages.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>How long the reader whose request starts a render waits for the new bytes before it is given the previous ones.</summary>
    public static readonly TimeSpan FreshBytesWait = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The shortest time between the starts of two renders of a document that has kept bytes: a news reader cannot tell a
    /// second's delay, and a page that changes with every poll (the index, at fifteen polls a second) costs one render a
    /// second instead of fifteen.
    /// </summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Slot> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The document at <paramref name="address"/> as of <paramref name="config"/> and <paramref name="version"/>, from the
    /// cache or from <paramref name="render"/>, or its kept bytes while the new ones are on their way (see the remarks).
    /// Read the version before calling, so a change during the render is seen by the next one. The render is shared by every
    /// reader waiting for it, so it takes no reader's cancellation.
    /// </summary>
    public async Task<RenderedDocument> GetAsync(Uri address, FeedsConfig config, long version, Func<Task<RenderedDocument>> render, CancellationToken cancellationToken)
    {
        var document = await LatestAsync(address, config, version, render, cancellationToken);
        // Noted on every serve, not only on the render: readiness stays degraded while readers get a page without the item.
        foreach (var leftOut in document.LeftOut)
            faults.NoteLeftOut(address.PathAndQuery, leftOut);
        return document;
    }

    /// <summary>Lets every kept document go: the next request for each renders it anew.</summary>
    public void Clear() => _cache.Clear();

    private async Task<RenderedDocument> LatestAsync(Uri address, FeedsConfig config, long version, Func<Task<RenderedDocument>> render, CancellationToken cancellationToken)
    {
        var slot = SlotOf(address.AbsoluteUri);
        var current = slot.Current;
        if (current is not null && current.Version == version && ReferenceEquals(current.Config, config) && current.Document.IsComplete)
        {
            FeedsMetrics.RecordRenderCache(RenderCacheResult.Hit);
            return current.Document;
        }
        Task<Rendered> RenderThis() => RenderAsync(address, config, version, render);
        if (current is not null && ReferenceEquals(current.Config, config))
        {
            // The same config's kept bytes serve while a render is under way or the last one started less than an interval ago.
            var refresh = slot.Refresh(RenderThis, clock.GetTimestamp(), clock.TimestampFrequency * RefreshInterval.TotalSeconds);
            if (refresh is null || await Task.WhenAny(refresh, Task.Delay(FreshBytesWait, clock, cancellationToken)) != refresh)
            {
                FeedsMetrics.RecordRenderCache(RenderCacheResult.Kept);
                return current.Document;
            }
            FeedsMetrics.RecordRenderCache(RenderCacheResult.Miss);
            // The render noted its failure; readers get the document as it was before this change.
            return refresh.IsCompletedSuccessfully ? refresh.Result.Document : current.Document;
        }
        FeedsMetrics.RecordRenderCache(RenderCacheResult.Miss);
        var rendering = slot.RenderOnce(RenderThis, clock.GetTimestamp());
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

    /// <summary>One document's latest rendering, the render under way if any, and when the last one started.</summary>
    private sealed class Slot
    {
        private readonly Lock _lock = new();
        private Task<Rendered>? _rendering;
        private long _lastStarted;

        public Rendered? Current { get; private set; }

        /// <summary>The render under way, or a new one.</summary>
        public Task<Rendered> RenderOnce(Func<Task<Rendered>> render, long now)
        {
            lock (_lock)
                return _rendering is { IsCompleted: false } running ? running : Start(render, now);
        }

        /// <summary>A new render, or null while one is under way or when the last one started less than <paramref name="interval"/> (in timestamp ticks) ago.</summary>
        public Task<Rendered>? Refresh(Func<Task<Rendered>> render, long now, double interval)
        {
            lock (_lock)
                return _rendering is { IsCompleted: false } || (_rendering is not null && now - _lastStarted < interval) ? null : Start(render, now);
        }

        // On the thread pool: a render that reads the store synchronously (SQLite) must not run under the lock, nor hold up
        // the reader that started it past its wait.
        private Task<Rendered> Start(Func<Task<Rendered>> render, long now)
        {
            _lastStarted = now;
            return _rendering = Task.Run(() => RenderAndKeepAsync(render));
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
