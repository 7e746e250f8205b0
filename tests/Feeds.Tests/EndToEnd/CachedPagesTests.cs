using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Feeds.Core.Publishing;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// The HTML pages are served as the feeds are: rendered once per change of what they show and kept with their gzip and
/// brotli forms, with a strong ETag, Last-Modified and 304. Reads that reach the store are counted by a decorated
/// <see cref="IPublishingStore"/> in the real service. On SQLite; <see cref="PostgresCachedPagesTests"/> runs the same on PostgreSQL.
/// </summary>
public class CachedPagesTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    private static readonly DateTimeOffset Morning = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(-18);

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;
    private readonly CountingStore.Counter _reads = new();

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", Feed("Harbor Wire", "Harbour strike enters its third week", "Ferry timetable cut"));
        _sources.Serve("/gadgets.rss", Feed("Gadget Desk", "A phone that folds twice"));
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "world", title = "World", description = "World news" }, new { id = "tech", title = "Tech", description = "Gadgets" } },
            new[]
            {
                new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "world" } },
                new { id = "gadgets", url = new Uri(_sources.BaseUri, "gadgets.rss").AbsoluteUri, sections = new[] { "tech" } },
            },
            publishing: new { itemsPerFeed = 1 },
            replaceServices: services => services.Decorate<IPublishingStore>(inner => new CountingStore(inner, _reads)), store: Store);
        await _host.WaitForPollsAsync(2, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private static byte[] Feed(string title, params string[] headlines) => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>{title}</title><link>https://example.com/</link><description>d</description>
        {string.Concat(headlines.Select((headline, i) => $"<item><title>{headline}</title><link>https://example.com/{Uri.EscapeDataString(headline)}</link><pubDate>{Morning.AddHours(headlines.Length - i):R}</pubDate></item>"))}
        </channel></rss>
        """);

    private async Task<HttpResponseMessage> GetAsync(string path, Action<HttpRequestHeaders>? headers = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        headers?.Invoke(request.Headers);
        var response = await _host.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private Task PollAsync(string sourceId)
    {
        var config = _host.Services.GetRequiredService<FeedsConfigMonitor>().Current;
        return _host.Services.GetRequiredService<SourceRefresher>().RefreshAsync(config.FindSource(sourceId)!, PollReason.Manual, CancellationToken.None);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sections/world")]
    [InlineData("sections/world?before=9999999999999.1")]
    public async Task AnUnchangedPageIsServedAgainWithoutStoreWorkWithTheSameStrongETagAnd304(string path)
    {
        using var first = await GetAsync(path);
        var reads = _reads.Count;
        using var second = await GetAsync(path);
        using var revalidated = await GetAsync(path, headers => headers.IfNoneMatch.Add(first.Headers.ETag!));
        using var sinceModified = await GetAsync(path, headers => headers.IfModifiedSince = first.Content.Headers.LastModified);
        using var head = await GetAsync(path, method: HttpMethod.Head);

        Assert.True(reads > 0, "the first request did not read the store: the precondition of the test is missing");
        Assert.Equal(reads, _reads.Count);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.False(first.Headers.ETag!.IsWeak);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/html; charset=utf-8", first.Content.Headers.ContentType?.ToString());
        Assert.NotNull(first.Content.Headers.LastModified);
        Assert.Equal("public, max-age=300", first.Headers.CacheControl?.ToString());
        Assert.Equal(["Accept-Encoding"], first.Headers.Vary);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal(first.Headers.ETag, revalidated.Headers.ETag);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, sinceModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(first.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        // The page's own headers stand on every answer, cached or not.
        Assert.All(new[] { first, second, revalidated, head }, response =>
            Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sections/tech")]
    public async Task TheGzipAndBrotliFormsOfAPageDecodeToItsBytesEachWithItsOwnETag(string path)
    {
        using var identity = await GetAsync(path);
        using var gzip = await GetAsync(path, headers => headers.AcceptEncoding.ParseAdd("gzip"));
        using var brotli = await GetAsync(path, headers => headers.AcceptEncoding.ParseAdd("gzip, br"));
        using var brotliAgain = await GetAsync(path, headers => headers.AcceptEncoding.ParseAdd("br"));
        using var brotliRevalidated = await GetAsync(path, headers =>
        {
            headers.AcceptEncoding.ParseAdd("br");
            headers.IfNoneMatch.Add(brotli.Headers.ETag!);
        });

        var body = await identity.Content.ReadAsByteArrayAsync();
        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.Equal(["gzip"], gzip.Content.Headers.ContentEncoding);
        Assert.Equal(["br"], brotli.Content.Headers.ContentEncoding);
        Assert.Equal(body, Decode(await gzip.Content.ReadAsByteArrayAsync(), stream => new GZipStream(stream, CompressionMode.Decompress)));
        Assert.Equal(body, Decode(await brotli.Content.ReadAsByteArrayAsync(), stream => new BrotliStream(stream, CompressionMode.Decompress)));
        Assert.Equal(3, new[] { identity.Headers.ETag, gzip.Headers.ETag, brotli.Headers.ETag }.Distinct().Count());
        Assert.Equal(brotli.Headers.ETag, brotliAgain.Headers.ETag);
        Assert.Equal(await brotli.Content.ReadAsByteArrayAsync(), await brotliAgain.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, brotliRevalidated.StatusCode);
    }

    /// <summary>
    /// The first answer for <paramref name="path"/> that shows <paramref name="text"/>, asked again until it does or
    /// <see cref="ChangeShowsWithin"/> has passed: a page rendered less than <see cref="RenderCache.RefreshInterval"/> ago is
    /// served as it was meanwhile.
    /// </summary>
    private async Task<(HttpResponseMessage Response, TimeSpan ShownAfter)> GetShowingAsync(string path, string text)
    {
        var asked = DateTime.UtcNow;
        while (true)
        {
            var response = await GetAsync(path);
            var shownAfter = DateTime.UtcNow - asked;
            if ((await response.Content.ReadAsStringAsync()).Contains(text, StringComparison.Ordinal) || shownAfter > ChangeShowsWithin)
                return (response, shownAfter);
            response.Dispose();
            await Task.Delay(50);
        }
    }

    /// <summary>How long a change may take to show: the promise of <see cref="RenderCache"/> (an interval and two renders), with room for a busy machine.</summary>
    private static readonly TimeSpan ChangeShowsWithin = RenderCache.RefreshInterval + TimeSpan.FromSeconds(4);

    [Fact]
    public async Task APollThatChangesASourceChangesItsSectionPageAndTheIndexAndNoOtherSectionsPage()
    {
        using var index = await GetAsync("");
        using var world = await GetAsync("sections/world");
        using var tech = await GetAsync("sections/tech");

        _sources.Serve("/wire.rss", Feed("Harbor Wire", "Dockers and owners agree", "Harbour strike enters its third week", "Ferry timetable cut"));
        await PollAsync("wire");
        var reads = _reads.Count;
        using var techAfter = await GetAsync("sections/tech");
        var techReads = _reads.Count - reads;
        using var worldAfter = (await GetShowingAsync("sections/world", "Dockers and owners agree")).Response;
        using var indexAfter = (await GetShowingAsync("", "Dockers and owners agree")).Response;

        Assert.Equal(0, techReads);
        Assert.Equal(tech.Headers.ETag, techAfter.Headers.ETag);
        Assert.NotEqual(world.Headers.ETag, worldAfter.Headers.ETag);
        Assert.DoesNotContain("Dockers and owners agree", await world.Content.ReadAsStringAsync());
        Assert.Contains("Dockers and owners agree", await worldAfter.Content.ReadAsStringAsync());
        Assert.NotEqual(index.Headers.ETag, indexAfter.Headers.ETag);
        Assert.Contains("Dockers and owners agree", await indexAfter.Content.ReadAsStringAsync());
        // A reader holding the old page is sent the new one.
        using var revalidated = await GetAsync("sections/world", headers => headers.IfNoneMatch.Add(world.Headers.ETag!));
        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sections/world")]
    public async Task UnderConstantPollingAPageAnswersFromKeptBytesAndIsRenderedAtMostOncePerInterval(string path)
    {
        using var first = await GetAsync(path);
        var renders = _reads.Renders;
        var started = DateTime.UtcNow;
        var lasted = TimeSpan.FromSeconds(2.5);
        var (polls, keptAnswers) = (0, 0);
        var etag = first.Headers.ETag;
        while (DateTime.UtcNow - started < lasted)
        {
            // Each poll stores a new headline of the world section, which the index and the section page both show.
            polls++;
            _sources.Serve("/wire.rss", Bulletin(polls));
            await PollAsync("wire");
            using var page = await GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            keptAnswers += page.Headers.ETag!.Equals(etag) ? 1 : 0;
            etag = page.Headers.ETag;
        }
        var rendered = _reads.Renders - renders;

        Assert.True(polls >= 5, $"only {polls} polls in {lasted.TotalSeconds} s: the precondition of the test is missing");
        // A render at the start of each interval at most, and one more for a render in flight when the loop ended.
        var allowed = (int)Math.Ceiling(lasted / RenderCache.RefreshInterval) + 1;
        Assert.True(rendered <= allowed, $"{rendered} renders of /{path} for {polls} polls in {lasted.TotalSeconds} s; at most {allowed} expected");
        Assert.True(keptAnswers > 0, $"every one of {polls} answers was a new rendering");

        // The last poll's headline shows within the promise, and the page then answers 304 to its own ETag.
        var (shown, shownAfter) = await GetShowingAsync(path, $"Bulletin number {polls}");
        using (shown)
        {
            Assert.Contains($"Bulletin number {polls}", await shown.Content.ReadAsStringAsync());
            Assert.True(shownAfter <= ChangeShowsWithin, $"the poll showed after {shownAfter.TotalSeconds:F1} s");
            using var revalidated = await GetAsync(path, headers => headers.IfNoneMatch.Add(shown.Headers.ETag!));
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        }
    }

    /// <summary>The wire's feed with one headline of its own per <paramref name="n"/>, each a minute newer than the one before and than every other item.</summary>
    private static byte[] Bulletin(int n) => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Harbor Wire</title><link>https://example.com/</link><description>d</description>
        <item><title>Bulletin number {n}</title><link>https://example.com/bulletins/{n}</link><pubDate>{Morning.AddHours(4).AddMinutes(n):R}</pubDate></item>
        </channel></rss>
        """);

    [Fact]
    public async Task APollThatChangesNothingKeepsEveryPage()
    {
        using var index = await GetAsync("");
        using var world = await GetAsync("sections/world");

        await PollAsync("wire");
        await PollAsync("gadgets");
        var reads = _reads.Count;
        using var indexAfter = await GetAsync("");
        using var worldAfter = await GetAsync("sections/world");

        Assert.Equal(reads, _reads.Count);
        Assert.Equal((index.Headers.ETag, world.Headers.ETag), (indexAfter.Headers.ETag, worldAfter.Headers.ETag));
    }

    [Fact]
    public async Task AConfigEditChangesTheIndexAndTheSectionPage()
    {
        using var index = await GetAsync("");
        using var world = await GetAsync("sections/world");
        var config = JsonDocument.Parse(await File.ReadAllTextAsync(_host.ConfigPath)).RootElement.ToString();

        await File.WriteAllTextAsync(_host.ConfigPath, config.Replace("\"World news\"", "\"News from every harbour\"", StringComparison.Ordinal));
        HttpResponseMessage indexAfter;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            await Task.Delay(200);
            indexAfter = await GetAsync("");
        }
        while (!(await indexAfter.Content.ReadAsStringAsync()).Contains("News from every harbour", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        using var worldAfter = await GetAsync("sections/world");

        Assert.Contains("News from every harbour", await indexAfter.Content.ReadAsStringAsync());
        Assert.NotEqual(index.Headers.ETag, indexAfter.Headers.ETag);
        Assert.Contains("News from every harbour", await worldAfter.Content.ReadAsStringAsync());
        Assert.NotEqual(world.Headers.ETag, worldAfter.Headers.ETag);
        indexAfter.Dispose();
    }

    private static byte[] Decode(byte[] body, Func<Stream, Stream> decompressor)
    {
        using var decoded = new MemoryStream();
        using (var stream = decompressor(new MemoryStream(body)))
            stream.CopyTo(decoded);
        return decoded.ToArray();
    }

    /// <summary>The publishing store, counting the reads that reach the database (pages and story matches).</summary>
    private sealed class CountingStore(IPublishingStore inner, CountingStore.Counter reads) : IPublishingStore
    {
        public sealed class Counter
        {
            private int _count;

            private int _renders;

            public int Count => Volatile.Read(ref _count);

            /// <summary>Renders of the index or the world section's page: the reads of the world section's newest items.</summary>
            public int Renders => Volatile.Read(ref _renders);

            public void Add() => Interlocked.Increment(ref _count);

            public void AddRender() => Interlocked.Increment(ref _renders);
        }

        public Task<IReadOnlyList<StoredItem>> GetItemsAsync(IReadOnlyCollection<string> sourceIds, ItemCursor cursor, int limit, CancellationToken cancellationToken)
        {
            reads.Add();
            if (sourceIds.Contains("wire") && cursor == ItemCursor.Newest)
                reads.AddRender();
            return inner.GetItemsAsync(sourceIds, cursor, limit, cancellationToken);
        }

        public Task<IReadOnlyList<StoredItem>> GetStoryMembersAsync(IReadOnlyCollection<long> storyIds, CancellationToken cancellationToken)
        {
            reads.Add();
            return inner.GetStoryMembersAsync(storyIds, cancellationToken);
        }

        public Task<IReadOnlyList<long>> GetLatestStoriesAsync(int minMembers, int limit, CancellationToken cancellationToken)
        {
            reads.Add();
            return inner.GetLatestStoriesAsync(minMembers, limit, cancellationToken);
        }

        public Task<IReadOnlyList<(long StoryId, ItemChange Last)>> GetStoriesChangedAfterAsync(ItemChange after, int limit, CancellationToken cancellationToken) =>
            inner.GetStoriesChangedAfterAsync(after, limit, cancellationToken);

        public Task<ItemChange> GetLastChangeAsync(CancellationToken cancellationToken) => inner.GetLastChangeAsync(cancellationToken);

        public long GetSourceVersion(string sourceId) => inner.GetSourceVersion(sourceId);

        public long GetStoreVersion() => inner.GetStoreVersion();
    }
}

/// <summary>The same tests with the service storing in PostgreSQL, where the versions pages key on are read from the database.</summary>
public sealed class PostgresCachedPagesTests : CachedPagesTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
