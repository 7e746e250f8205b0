using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Fetching;
using Feeds.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Publishing;

public sealed class SectionFeedsCacheTests : IAsyncLifetime
{
    private TempStore _temp = null!;
    private CountingStore _counting = null!;
    private SectionFeeds _feeds = null!;
    private RenderFaults _faults = null!;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch.AddYears(56));
    // The renders' own clock: a reader's wait for fresh bytes ends when the test moves it.
    private readonly WatchedClock _renderClock = new();

    private static readonly Section World = new("world", "World", "");
    private static readonly Section Tech = new("tech", "Tech", "");
    private static readonly FeedsConfig Config = new("feeds.json", [World, Tech],
    [
        new Source("wire", "Wire", SourceLocation.ForUrl(new Uri("https://wire.example.com/rss")), ["world"], TimeSpan.FromMinutes(30)),
        new Source("gadgets", "Gadgets", SourceLocation.ForUrl(new Uri("https://gadgets.example.com/rss")), ["tech"], TimeSpan.FromMinutes(30)),
    ], new PublishingSettings());

    private static readonly Uri Base = new("http://127.0.0.1:5080/");

    public async Task InitializeAsync()
    {
        _temp = await TempStore.CreateAsync(_clock);
        _counting = new CountingStore(_temp.Publishing);
        _faults = new RenderFaults(_clock, NullLogger<RenderFaults>.Instance);
        _feeds = new SectionFeeds(new SectionPages(_counting), new RelatedItems(_temp.Search, _clock), new RenderCache(_faults, _renderClock), new ContentVersions(_counting));
        await SaveAsync("wire", "a");
        await SaveAsync("gadgets", "g");
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private Task SaveAsync(string sourceId, string key, string hash = "1") =>
        _temp.Polls.SavePollAsync(new SourceState { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" },
            [new NormalizedItem { Key = key, ContentHash = hash, Title = $"Headline {key} of the long day", Link = $"https://example.com/{key}" }], CancellationToken.None);

    [Fact]
    public async Task AnUnchangedFeedIsServedWithoutDatabaseWork()
    {
        var first = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);
        var queries = _counting.Queries;
        var second = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal(queries, _counting.Queries);
    }

    [Fact]
    public async Task AChangeInOneSectionRerendersOnlyThatSection()
    {
        var world = await _feeds.GetAsync(Config, World, OutputFormat.Atom, ItemCursor.Newest, Base, CancellationToken.None);
        var tech = await _feeds.GetAsync(Config, Tech, OutputFormat.Atom, ItemCursor.Newest, Base, CancellationToken.None);

        await SaveAsync("gadgets", "g", hash: "2");
        _renderClock.Advance(RenderCache.RefreshInterval);

        Assert.Same(world, await _feeds.GetAsync(Config, World, OutputFormat.Atom, ItemCursor.Newest, Base, CancellationToken.None));
        Assert.NotSame(tech, await _feeds.GetAsync(Config, Tech, OutputFormat.Atom, ItemCursor.Newest, Base, CancellationToken.None));
    }

    [Fact]
    public async Task ManyReadersOfAChangedFeedRenderItOnce()
    {
        var before = _counting.Queries;
        await _feeds.GetAsync(Config, World, OutputFormat.Json, ItemCursor.Newest, Base, CancellationToken.None);
        var oneRender = _counting.Queries - before;
        await SaveAsync("wire", "a", hash: "2");
        _renderClock.Advance(RenderCache.RefreshInterval);
        _counting.Delay = TimeSpan.FromMilliseconds(200);

        before = _counting.Queries;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _feeds.GetAsync(Config, World, OutputFormat.Json, ItemCursor.Newest, Base, CancellationToken.None)));
        // Let the one render finish its queries (longer on a loaded machine), then give a second render time to show.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_counting.Queries - before < oneRender && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        await Task.Delay(500);

        Assert.Equal(oneRender, _counting.Queries - before);
    }

    [Fact]
    public async Task AChangedFeedIsRenderedAgainAtMostOncePerIntervalAndItsKeptBytesServeMeanwhile()
    {
        var first = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);
        await SaveAsync("wire", "b");
        var queries = _counting.Queries;

        // Less than an interval after its render, the changed feed is served as kept, and nothing is read for it.
        _renderClock.Advance(RenderCache.RefreshInterval - TimeSpan.FromMilliseconds(1));
        var early = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);
        var earlyQueries = _counting.Queries - queries;
        // An interval after it, the next request renders it again.
        _renderClock.Advance(TimeSpan.FromMilliseconds(1));
        var renderedAgain = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);

        Assert.Same(first, early);
        Assert.Equal(0, earlyQueries);
        Assert.NotSame(first, renderedAgain);
        Assert.NotEqual(first.ETag, renderedAgain.ETag);
        Assert.Same(renderedAgain, await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None));
    }

    [Fact]
    public async Task WhileASlowRenderRunsReadersGetThePreviousBytes()
    {
        var previous = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);
        await SaveAsync("wire", "a", hash: "2");
        _renderClock.Advance(RenderCache.RefreshInterval);
        _counting.Delay = TimeSpan.FromMilliseconds(500);

        var reading = _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);
        await _renderClock.WaitForTimerAsync(RenderCache.FreshBytesWait);
        _renderClock.Advance(RenderCache.FreshBytesWait - TimeSpan.FromMilliseconds(1));
        var stillWaiting = !reading.IsCompleted;
        _renderClock.Advance(TimeSpan.FromMilliseconds(1));
        var during = await reading;
        // The render takes two 500 ms queries; on a loaded machine, longer. Readers get the new bytes once it is done.
        RenderedDocument after;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            await Task.Delay(250);
            after = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);
        }
        while (ReferenceEquals(after, previous) && DateTime.UtcNow < deadline);

        Assert.True(stillWaiting, "the reader did not wait for the fresh bytes");
        Assert.Same(previous, during);
        Assert.NotSame(previous, after);
    }

    [Fact]
    public async Task AFailedRenderServesThePreviousBytesAndIsReported()
    {
        var previous = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);
        await SaveAsync("wire", "a", hash: "2");
        _renderClock.Advance(RenderCache.RefreshInterval);
        _counting.Failure = new InvalidOperationException("the page query broke");

        var during = await _feeds.GetAsync(Config, World, OutputFormat.Rss, ItemCursor.Newest, Base, CancellationToken.None);

        Assert.Same(previous, during);
        Assert.Contains("/sections/world/rss failed: InvalidOperationException: the page query broke", _faults.Recent?.Description);
        _clock.Advance(RenderFaults.Window);
        Assert.Null(_faults.Recent);
    }

    [Fact]
    public async Task AFailedRenderWithNothingToFallBackOnFails()
    {
        _counting.Failure = new InvalidOperationException("the page query broke");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _feeds.GetAsync(Config, World, OutputFormat.Atom, ItemCursor.Newest, Base, CancellationToken.None));
        Assert.NotNull(_faults.Recent);
    }

    /// <summary>Counts the reads that reach the database, and can make them slow or fail.</summary>
    private sealed class CountingStore(IPublishingStore inner) : IPublishingStore
    {
        private int _queries;

        public int Queries => Volatile.Read(ref _queries);

        public TimeSpan Delay { get; set; }

        public Exception? Failure { get; set; }

        private async Task<T> CountAsync<T>(Func<Task<T>> query)
        {
            Interlocked.Increment(ref _queries);
            if (Delay > TimeSpan.Zero)
                await Task.Delay(Delay);
            if (Failure is { } failure)
                throw failure;
            return await query();
        }

        public Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken) => CountAsync(() => inner.GetItemsAsync(sourceIds, cursor, limit, cancellationToken));
        public Task<IReadOnlyList<StoredItem>> GetStoryMembersAsync(IReadOnlyCollection<long> storyIds, CancellationToken cancellationToken) => CountAsync(() => inner.GetStoryMembersAsync(storyIds, cancellationToken));
        public Task<IReadOnlyList<long>> GetLatestStoriesAsync(int minMembers, int limit, CancellationToken cancellationToken) => CountAsync(() => inner.GetLatestStoriesAsync(minMembers, limit, cancellationToken));

        public Task<IReadOnlyList<(long StoryId, ItemChange Last)>> GetStoriesChangedAfterAsync(ItemChange after, int limit, CancellationToken cancellationToken) =>
            inner.GetStoriesChangedAfterAsync(after, limit, cancellationToken);

        public Task<ItemChange> GetLastChangeAsync(CancellationToken cancellationToken) => inner.GetLastChangeAsync(cancellationToken);
        public long GetSourceVersion(string sourceId) => inner.GetSourceVersion(sourceId);
        public long GetStoreVersion() => inner.GetStoreVersion();
    }
}
