using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Publishing;

/// <summary><see cref="RelatedItems"/> over a real SQLite store: what an entry's list leaves out, and how long it is kept.</summary>
public sealed class RelatedItemsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private TempStore _store = null!;
    private CountingSearch _search = null!;
    private RelatedItems _related = null!;

    public async Task InitializeAsync()
    {
        _store = await TempStore.CreateAsync(_clock);
        _search = new CountingSearch(_store.Search);
        _related = new RelatedItems(_search, _clock);
        await SaveAsync("wire", ("w1", "Volcano erupts near Reykjavik airport"), ("w2", "Reykjavik airport closed by volcano ash"),
            ("w3", "Football results"));
        // The same story from another source, by its headline: never its own related article.
        await SaveAsync("desk", ("d1", "Volcano erupts near Reykjavik airport"));
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    private Task SaveAsync(string sourceId, params (string Key, string Title)[] items) =>
        _store.Polls.SavePollAsync(new SourceState { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss" },
            items.Select(i => new NormalizedItem { Key = i.Key, ContentHash = "1", Title = i.Title, Link = $"https://{sourceId}.example.com/{i.Key}", Published = _clock.GetUtcNow().AddHours(-1) }.WithStoryKeys()).ToList(),
            CancellationToken.None);

    private async Task<SectionEntry> EntryAsync(string key) =>
        new((await _store.Publishing.GetItemsAsync(["wire", "desk"], ItemCursor.Newest, 100, CancellationToken.None)).Single(i => i.ItemKey == key), []);

    [Fact]
    public async Task AnEntrysListLeavesOutItselfAndItsStoryAndKeepsWhatShares()
    {
        var related = await _related.OfAsync(await EntryAsync("w1"), CancellationToken.None);

        Assert.Equal(["w2"], related.Select(i => i.ItemKey));
    }

    [Fact]
    public async Task AnEntrysListIsRememberedForItsLifetimeThenLookedForAgain()
    {
        var entry = await EntryAsync("w1");

        await _related.OfAsync(entry, CancellationToken.None);
        await _related.OfAsync(entry, CancellationToken.None);
        var withinLifetime = _search.Queries;
        _clock.Advance(RelatedItems.Lifetime);
        await _related.OfAsync(entry, CancellationToken.None);

        Assert.Equal(1, withinLifetime);
        Assert.Equal(2, _search.Queries);
    }

    private sealed class CountingSearch(ISearchStore inner) : ISearchStore
    {
        private int _queries;

        public int Queries => Volatile.Read(ref _queries);

        public Task<IReadOnlyList<StoredItem>> SearchAsync(Feeds.Core.Sources.SearchQuery query, IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit,
            CancellationToken cancellationToken) => inner.SearchAsync(query, sourceIds, cursor, limit, cancellationToken);

        public Task<IReadOnlyList<StoredItem>> GetRelatedAsync(StoredItem item, IReadOnlyCollection<long> excludedIds, int limit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _queries);
            return inner.GetRelatedAsync(item, excludedIds, limit, cancellationToken);
        }
    }
}
