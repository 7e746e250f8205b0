using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Publishing;

public sealed class SectionFeedsCacheTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private SqliteFeedStore _store = null!;
    private CountingStore _counting = null!;
    private SectionFeeds _feeds = null!;

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
        _store = new SqliteFeedStore(_folder.File("feeds.db"), new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56)));
        await _store.MigrateAsync(CancellationToken.None);
        _counting = new CountingStore(_store);
        _feeds = new SectionFeeds(_counting, new SectionPages(_counting));
        await SaveAsync("wire", "a");
        await SaveAsync("gadgets", "g");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private Task SaveAsync(string sourceId, string key, string hash = "1") =>
        _store.SavePollAsync(new SourceState { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" },
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

        Assert.Same(world, await _feeds.GetAsync(Config, World, OutputFormat.Atom, ItemCursor.Newest, Base, CancellationToken.None));
        Assert.NotSame(tech, await _feeds.GetAsync(Config, Tech, OutputFormat.Atom, ItemCursor.Newest, Base, CancellationToken.None));
    }

    /// <summary>Counts the reads that reach the database.</summary>
    private sealed class CountingStore(IFeedStore inner) : IFeedStore
    {
        public int Queries { get; private set; }

        public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);
        public Task<SourceState?> GetSourceStateAsync(string sourceId, CancellationToken cancellationToken) => inner.GetSourceStateAsync(sourceId, cancellationToken);
        public Task<IReadOnlyList<SourceState>> GetSourceStatesAsync(CancellationToken cancellationToken) => inner.GetSourceStatesAsync(cancellationToken);
        public Task<IReadOnlyDictionary<string, string>> GetItemHashesAsync(string sourceId, CancellationToken cancellationToken) => inner.GetItemHashesAsync(sourceId, cancellationToken);
        public Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken) => inner.SavePollAsync(state, items, cancellationToken);
        public Task<IReadOnlyList<StoredItem>> GetLatestItemsAsync(IReadOnlyCollection<string> sourceIds, int limit, CancellationToken cancellationToken) { Queries++; return inner.GetLatestItemsAsync(sourceIds, limit, cancellationToken); }
        public Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken) { Queries++; return inner.GetItemsAsync(sourceIds, cursor, limit, cancellationToken); }
        public Task<IReadOnlyList<StoredItem>> GetStoryMatchesAsync(IReadOnlyCollection<string> sourceIds, IReadOnlyCollection<string> linkKeys, IReadOnlyCollection<string> headlineKeys, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) { Queries++; return inner.GetStoryMatchesAsync(sourceIds, linkKeys, headlineKeys, from, to, cancellationToken); }
        public long GetSourceVersion(string sourceId) => inner.GetSourceVersion(sourceId);
        public Task<IReadOnlyDictionary<string, ItemStatistics>> GetItemStatisticsAsync(CancellationToken cancellationToken) => inner.GetItemStatisticsAsync(cancellationToken);
        public Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => inner.IsHealthyAsync(cancellationToken);
    }
}
