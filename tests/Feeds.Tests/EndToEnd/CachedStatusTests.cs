using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Core.Storage;
using Feeds.Tests.Support;

namespace Feeds.Tests.EndToEnd;

/// <summary>
/// <c>/status</c> is kept rendered like the pages for readers: each filter and page, as HTML and as JSON, once per status
/// snapshot, with its gzip and brotli forms, a strong ETag and 304, sent <c>private</c>; a poll shows within the promised
/// time. Renders are told from kept pages by the activity reads of a decorated <see cref="IActivityStore"/> in the real
/// service. On SQLite; <see cref="PostgresCachedStatusTests"/> runs the same on PostgreSQL (where the nodes' check-ins,
/// every three seconds, also make a new page).
/// </summary>
public class CachedStatusTests : IAsyncLifetime
{
    protected virtual StoreKind Store => StoreKind.Sqlite;

    /// <summary>How long a poll may take to show: the promise of <c>CachedStatusPages</c> (a rebuild interval, a build and a render), with room for a busy machine.</summary>
    private static readonly TimeSpan PollShowsWithin = StatusViews.MinRebuildInterval + TimeSpan.FromSeconds(4);

    private LoopbackSourceServer _sources = null!;
    private FeedsTestHost _host = null!;
    private CountingActivityStore _activity = null!;

    public async Task InitializeAsync()
    {
        _sources = await LoopbackSourceServer.StartAsync();
        _sources.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        _sources.Serve("/desk.rss", TestFiles.SampleBytes("techdesk.rss"));
        _sources.ServeStatus("/gone.rss", 404);
        var started = DateTimeOffset.UtcNow;
        _host = await FeedsTestHost.StartAsync(
            new[] { new { id = "world", title = "World", description = "" }, new { id = "tech", title = "Tech", description = "" } },
            new[]
            {
                new { id = "wire", url = new Uri(_sources.BaseUri, "wire.rss").AbsoluteUri, sections = new[] { "world" } },
                new { id = "desk", url = new Uri(_sources.BaseUri, "desk.rss").AbsoluteUri, sections = new[] { "tech" } },
                new { id = "broken", url = new Uri(_sources.BaseUri, "gone.rss").AbsoluteUri, sections = new[] { "tech" } },
            },
            replaceServices: services => services.Decorate<IActivityStore>(inner => _activity = new CountingActivityStore(inner)),
            store: Store);
        await _host.WaitForPollsAsync(3, started);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _sources.DisposeAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, bool json = false, Action<HttpRequestHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (json)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        headers?.Invoke(request.Headers);
        var response = await _host.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>
    /// Two answers for <paramref name="path"/> in a row, the second asked with the first's ETag. A snapshot stands for 30 s
    /// at most (a cluster's check-ins move every 3 s), so the pair is asked again, three times at most, if one lands between.
    /// </summary>
    private async Task<(HttpResponseMessage First, HttpResponseMessage Again)> AskTwiceAsync(string path, bool json = false,
        Action<HttpRequestHeaders>? headers = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var first = await GetAsync(path, json, headers);
            var again = await GetAsync(path, json, h =>
            {
                headers?.Invoke(h);
                h.IfNoneMatch.Add(first.Headers.ETag!);
            });
            if (again.StatusCode == HttpStatusCode.NotModified || attempt == 3)
                return (first, again);
            first.Dispose();
            again.Dispose();
        }
    }

    private Task PollAsync(string sourceId)
    {
        var config = _host.Services.GetRequiredService<FeedsConfigMonitor>().Current;
        return _host.Services.GetRequiredService<SourceRefresher>().RefreshAsync(config.FindSource(sourceId)!, PollReason.Manual, CancellationToken.None);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASecondRequestAnswers304ToTheETagWithoutRenderingAgain(bool json)
    {
        var (first, again) = await AskTwiceAsync("status", json);
        var reads = _activity.SourceReads.Count;
        using var third = await GetAsync("status", json);
        using (first)
        using (again)
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.False(first.Headers.ETag!.IsWeak);
            Assert.Equal(json ? "application/json; charset=utf-8" : "text/html; charset=utf-8", first.Content.Headers.ContentType?.ToString());
            Assert.NotNull(first.Content.Headers.LastModified);
            // The client alone may keep it, and asks each time; HTML and JSON share the address.
            Assert.Equal((true, true, false), (first.Headers.CacheControl!.Private, first.Headers.CacheControl.NoCache, first.Headers.CacheControl.Public));
            Assert.Equal(["Accept", "Accept-Encoding"], first.Headers.Vary);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(first.Headers.ETag, again.Headers.ETag);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
            Assert.Contains("wire", await first.Content.ReadAsStringAsync());
        }
        // The same page again is the kept bytes: nothing was read for it.
        Assert.Equal(reads, _activity.SourceReads.Count);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task TheHtmlAndJsonPagesAndTheirCompressedFormsEachHaveTheirOwnETag()
    {
        var (html, _) = await AskTwiceAsync("status");
        var (json, _) = await AskTwiceAsync("status", json: true);
        var (brotli, brotliAgain) = await AskTwiceAsync("status", headers: h => h.AcceptEncoding.ParseAdd("br"));
        var (gzip, gzipAgain) = await AskTwiceAsync("status", json: true, headers: h => h.AcceptEncoding.ParseAdd("gzip"));

        Assert.Equal(4, new[] { html.Headers.ETag, json.Headers.ETag, brotli.Headers.ETag, gzip.Headers.ETag }.Distinct().Count());
        Assert.Equal(["br"], brotli.Content.Headers.ContentEncoding);
        Assert.Equal(["gzip"], gzip.Content.Headers.ContentEncoding);
        Assert.Contains("<h1>Status</h1>", Decode(await brotli.Content.ReadAsByteArrayAsync(), stream => new BrotliStream(stream, CompressionMode.Decompress)));
        Assert.Contains("\"generatedAt\"", Decode(await gzip.Content.ReadAsByteArrayAsync(), stream => new GZipStream(stream, CompressionMode.Decompress)));
        Assert.Equal((HttpStatusCode.NotModified, HttpStatusCode.NotModified), (brotliAgain.StatusCode, gzipAgain.StatusCode));
    }

    [Fact]
    public async Task EachFilterAndPageIsKeptAsItsOwnEntryAndAnotherSpellingOfAQueryFindsIt()
    {
        string[] paths = ["status", "status?state=failing", "status?section=tech", "status?q=wire", "status?page=2"];
        var etags = new List<EntityTagHeaderValue>();
        foreach (var path in paths)
        {
            var (first, again) = await AskTwiceAsync(path);
            Assert.True(again.StatusCode == HttpStatusCode.NotModified, $"{path} answered {again.StatusCode} to its own ETag");
            etags.Add(first.Headers.ETag!);
            if (path == "status?state=failing")
            {
                // The state's name in another case is the same query: its page is the kept one.
                using var otherSpelling = await GetAsync("status?state=FAILING&q=", headers: h => h.IfNoneMatch.Add(first.Headers.ETag!));
                Assert.Equal(HttpStatusCode.NotModified, otherSpelling.StatusCode);
                Assert.Contains("broken", await first.Content.ReadAsStringAsync());
                Assert.DoesNotContain("<strong>wire</strong>", await first.Content.ReadAsStringAsync());
            }
        }

        Assert.Equal(paths.Length, etags.Distinct().Count());
        // One page's ETag does not stand for another's.
        using var crossed = await GetAsync("status?section=tech", headers: h => h.IfNoneMatch.Add(etags[1]));
        Assert.Equal(HttpStatusCode.OK, crossed.StatusCode);
    }

    [Fact]
    public async Task APollsResultShowsOnTheStatusPageWithinTheFreshnessPromise()
    {
        var (before, _) = await AskTwiceAsync("status?section=world");
        Assert.DoesNotContain("class=\"failing\"", await before.Content.ReadAsStringAsync());

        _sources.ServeStatus("/wire.rss", 500);
        await PollAsync("wire");
        var polled = DateTime.UtcNow;
        HttpResponseMessage after;
        while (true)
        {
            after = await GetAsync("status?section=world", headers: h => h.IfNoneMatch.Add(before.Headers.ETag!));
            if (after.StatusCode == HttpStatusCode.OK && (await after.Content.ReadAsStringAsync()).Contains("<tr class=\"failing\"><td class=\"name\"><strong>wire</strong>", StringComparison.Ordinal)
                || DateTime.UtcNow - polled > PollShowsWithin)
                break;
            after.Dispose();
            await Task.Delay(50);
        }
        var shownAfter = DateTime.UtcNow - polled;

        using (after)
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.Contains("<tr class=\"failing\"><td class=\"name\"><strong>wire</strong>", await after.Content.ReadAsStringAsync());
            Assert.True(shownAfter <= PollShowsWithin, $"the poll showed after {shownAfter.TotalSeconds:F1} s");
            Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        }
        // The JSON page shows it too.
        using var json = await GetAsync("status?section=world", json: true);
        Assert.Contains("\"lastOutcome\": \"Failed\"", await json.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnderConstantPollingAPageIsRenderedAtMostOncePerRebuildInterval()
    {
        using var first = await GetAsync("status?section=tech");
        var reads = _activity.SourceReads.Count;
        var started = DateTime.UtcNow;
        var lasted = TimeSpan.FromSeconds(2.5);
        var polls = 0;
        while (DateTime.UtcNow - started < lasted)
        {
            await PollAsync("desk");
            polls++;
            using var page = await GetAsync("status?section=tech");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        var renders = _activity.SourceReads.Count - reads;

        Assert.True(polls >= 5, $"only {polls} polls in {lasted.TotalSeconds} s: the precondition of the test is missing");
        // A render at the start of each interval at most, and one more for a rebuild in flight when the loop ended (a
        // cluster adds one per check-in, every 3 s).
        var allowed = (int)Math.Ceiling(lasted / StatusViews.MinRebuildInterval) + 1 + (Store == StoreKind.Postgres ? 1 : 0);
        Assert.True(renders <= allowed, $"{renders} renders of the page for {polls} polls in {lasted.TotalSeconds} s; at most {allowed} expected");
    }

    private static string Decode(byte[] body, Func<Stream, Stream> decompressor)
    {
        using var decoded = new MemoryStream();
        using (var stream = decompressor(new MemoryStream(body)))
            stream.CopyTo(decoded);
        return Encoding.UTF8.GetString(decoded.ToArray());
    }
}

/// <summary>The same tests with the service storing in PostgreSQL.</summary>
public sealed class PostgresCachedStatusTests : CachedStatusTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}
