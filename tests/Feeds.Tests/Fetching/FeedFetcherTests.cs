using System.Diagnostics;
using System.Net;
using Feeds.Core.Composition;
using Feeds.Core.Fetching;
using Feeds.Core.Sources;
using Feeds.Tests.Support;

namespace Feeds.Tests.Fetching;

public sealed class FeedFetcherTests : IAsyncLifetime
{
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;
    private FeedFetcher Fetcher => _services.GetRequiredService<FeedFetcher>();

    public async Task InitializeAsync()
    {
        _server = await LoopbackSourceServer.StartAsync();
        _services = Services(TestFetching.Loopback);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static ServiceProvider Services(FetchOptions options) =>
        new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsCore(":memory:", options).BuildServiceProvider();

    private static Task<FetchResult> FetchAsync(FeedFetcher fetcher, Uri url) =>
        fetcher.FetchAsync(SourceLocation.ForUrl(url), Validators.None, CancellationToken.None);

    private Task<FetchResult> FetchAsync(Uri url) => FetchAsync(Fetcher, url);

    [Fact]
    public async Task ARepeatRequestSendsTheValidatorsAndA304ChangesNothing()
    {
        var url = _server.Serve("/feed.xml", TestFiles.SampleBytes("world-wire.rss"));

        var first = Assert.IsType<FetchResult.Fetched>(await FetchAsync(url));
        var second = await Fetcher.FetchAsync(SourceLocation.ForUrl(url), first.Validators, CancellationToken.None);

        Assert.NotNull(first.Validators.ETag);
        Assert.NotNull(first.Validators.LastModified);
        Assert.Equal(first.Validators, Assert.IsType<FetchResult.NotModified>(second).Validators);
        Assert.Equal((1, 1), (_server.FullRequestCount("/feed.xml"), _server.ConditionalRequestCount("/feed.xml")));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task CompressedBodiesAreDecompressed(string encoding)
    {
        var feed = TestFiles.SampleBytes("techdesk.rss");
        var url = _server.ServeCompressed($"/{encoding}.xml", feed, encoding);

        var fetched = Assert.IsType<FetchResult.Fetched>(await FetchAsync(url));

        Assert.Equal(feed, fetched.Body.ToArray());
    }

    [Fact]
    public async Task ABodyIsLentFromThePoolToItsUserAndAnAnswerReturnedKeepsItsOwn()
    {
        // Over the large-object threshold and under a large document: a news feed's size, read into a pooled array.
        var lent = RandomBytes(110_000);
        var other = RandomBytes(110_000);
        var large = RandomBytes(FetchResult.Fetched.LargeBodyBytes);
        var (lentUrl, otherUrl, largeUrl) = (_server.Serve("/lent.xml", lent), _server.Serve("/other.xml", other), _server.Serve("/large.xml", large));

        var seen = await Fetcher.FetchAsync(SourceLocation.ForUrl(lentUrl), Validators.None, answer =>
        {
            var fetched = Assert.IsType<FetchResult.Fetched>(answer);
            return Task.FromResult((fetched.Body.ToArray(), Rented: fetched.RentedArray is not null));
        }, CancellationToken.None);
        var largeRented = await Fetcher.FetchAsync(SourceLocation.ForUrl(largeUrl), Validators.None,
            answer => Task.FromResult(Assert.IsType<FetchResult.Fetched>(answer).RentedArray is not null), CancellationToken.None);
        var kept = Assert.IsType<FetchResult.Fetched>(await FetchAsync(lentUrl));
        // Bodies of the same size lent and given back meanwhile would overwrite a kept body still on a pooled array.
        for (var i = 0; i < 16; i++)
            await Fetcher.FetchAsync(SourceLocation.ForUrl(otherUrl), Validators.None, _ => Task.FromResult(0), CancellationToken.None);

        Assert.Equal(lent, seen.Item1);
        Assert.True(seen.Rented);
        Assert.False(largeRented); // a large body is not pooled: the pool would keep it for good
        Assert.Null(kept.RentedArray);
        Assert.Equal(lent, kept.Body.ToArray());
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task ABodyOverTheLimitIsRefused()
    {
        await using var services = Services(TestFetching.Loopback with { MaxBodyBytes = 1024 });
        var url = _server.Serve("/big.xml", new byte[4096]);

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(services.GetRequiredService<FeedFetcher>(), url));

        Assert.Equal(FetchFailure.TooLarge, failed.Category);
    }

    [Fact]
    public async Task AGzipBombStopsAtTheLimitCountedAfterDecompression()
    {
        await using var services = Services(TestFetching.Loopback with { MaxBodyBytes = 1024 * 1024 });
        var url = _server.ServeGzipBomb("/bomb.xml", inflatedBytes: 256L * 1024 * 1024);
        var started = Stopwatch.GetTimestamp();

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(services.GetRequiredService<FeedFetcher>(), url));

        Assert.Equal(FetchFailure.TooLarge, failed.Category);
        Assert.Contains("after decompression", failed.Reason);
        // Inflating all 256 MiB would take far longer than stopping at the first MiB.
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData("drip")]
    [InlineData("hang")]
    public async Task ASlowOrHangingSourceEndsAtTheDeadlineWithoutDelayingAnotherHost(string behaviour)
    {
        // A deadline well above the time a healthy fetch takes even on a loaded 2-core machine.
        await using var services = Services(TestFetching.Loopback with { Timeout = TimeSpan.FromSeconds(3), PerHostConcurrency = 1, MaxConcurrency = 2 });
        var fetcher = services.GetRequiredService<FeedFetcher>();
        var slow = behaviour == "drip" ? _server.ServeDrip("/slow", TimeSpan.FromMilliseconds(100)) : _server.ServeHang("/slow");
        _server.Serve("/healthy.xml", TestFiles.SampleBytes("world-wire.rss"));
        var healthy = new Uri(_server.LocalhostUri, "healthy.xml");
        var started = Stopwatch.GetTimestamp();

        var slowFetch = FetchAsync(fetcher, slow);
        await Task.Delay(100);
        Assert.IsType<FetchResult.Fetched>(await FetchAsync(fetcher, healthy));
        var healthyDone = Stopwatch.GetElapsedTime(started);
        var failed = Assert.IsType<FetchResult.Failed>(await slowFetch);
        var slowDone = Stopwatch.GetElapsedTime(started);

        Assert.Equal(FetchFailure.Timeout, failed.Category);
        Assert.True(healthyDone < TimeSpan.FromSeconds(2), $"the healthy host waited {healthyDone.TotalMilliseconds:0} ms");
        Assert.InRange(slowDone, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AnAnswerStillBeingWorkedOnCountsAgainstTheFetchLimitSoNoMoreBodiesAreFetchedThanCanBeUsed()
    {
        await using var services = Services(TestFetching.Loopback with { MaxConcurrency = 1, MinHostSpacing = TimeSpan.Zero });
        var fetcher = services.GetRequiredService<FeedFetcher>();
        var first = _server.Serve("/first.xml", TestFiles.SampleBytes("world-wire.rss"));
        _server.Serve("/second.xml", TestFiles.SampleBytes("world-wire.rss"));
        var second = new Uri(_server.LocalhostUri, "second.xml");
        var working = new TaskCompletionSource();
        var done = new TaskCompletionSource<bool>();

        var firstPoll = fetcher.FetchAsync(SourceLocation.ForUrl(first), Validators.None, async answer =>
        {
            working.SetResult();
            return await done.Task;
        }, CancellationToken.None);
        await working.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var secondFetch = FetchAsync(fetcher, second);
        await Task.Delay(300);
        var requestedWhileTheFirstWasWorkedOn = _server.RequestTimes("/second.xml").Count;
        done.SetResult(true);

        Assert.True(await firstPoll);
        Assert.IsType<FetchResult.Fetched>(await secondFetch.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, requestedWhileTheFirstWasWorkedOn);
        Assert.Single(_server.RequestTimes("/second.xml"));
    }

    [Fact]
    public async Task RequestsToOneHostAreOneAtATimeAndSpacedApart()
    {
        await using var services = Services(TestFetching.Loopback with { MinHostSpacing = TimeSpan.FromMilliseconds(300) });
        var fetcher = services.GetRequiredService<FeedFetcher>();
        var url = _server.Serve("/polite.xml", TestFiles.SampleBytes("world-wire.rss"), delay: TimeSpan.FromMilliseconds(50));

        // A first request opens the connection, whose setup would otherwise delay one arrival and bunch it with the next.
        await FetchAsync(fetcher, url);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => FetchAsync(fetcher, url)));

        var times = _server.RequestTimes("/polite.xml");
        Assert.Equal(5, times.Count);
        Assert.Equal(1, _server.MostConcurrentRequests("/polite.xml"));
        // Starts are 300 ms apart at the client. An arrival at the server can be late by the scheduling jitter of a loaded
        // machine (150 ms seen), which shortens the gap before the next one, but not the span of them all; back to back,
        // with the server's 50 ms answer and one at a time, they would be some 55 ms apart.
        var gaps = times.Zip(times.Skip(1), (first, second) => second - first).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(100), $"{gap.TotalMilliseconds:0} ms apart"));
        Assert.True(times[^1] - times[0] >= TimeSpan.FromMilliseconds(4 * 300 - 150), $"five requests within {(times[^1] - times[0]).TotalMilliseconds:0} ms");
    }

    [Theory]
    [InlineData(429, "120", FetchFailure.RateLimited)]
    [InlineData(503, "120", FetchFailure.RateLimited)]
    [InlineData(429, "date+120", FetchFailure.RateLimited)]
    [InlineData(503, null, FetchFailure.RateLimited)]
    public async Task RateLimitingCarriesTheRetryAfterDelayInSecondsOrAsADate(int status, string? retryAfter, FetchFailure category)
    {
        var header = retryAfter == "date+120" ? DateTimeOffset.UtcNow.AddSeconds(120).ToString("R") : retryAfter;
        var url = _server.ServeStatus($"/busy-{status}", status, header);

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(url));

        Assert.Equal(category, failed.Category);
        Assert.Equal(status, failed.StatusCode);
        if (retryAfter is null)
            Assert.Null(failed.RetryAfter);
        else
            Assert.InRange(failed.RetryAfter!.Value, TimeSpan.FromSeconds(118), TimeSpan.FromSeconds(120));
    }

    [Theory]
    [InlineData("999999999999", -1)]                           // beyond what .NET's typed header accepts: far too long, not absent
    [InlineData("99999999999999999999999999", -1)]             // beyond what a TimeSpan holds
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT", -1)]          // an HTTP-date far in the future
    [InlineData("86401", 86401)]
    [InlineData("0", 0)]
    [InlineData("soon", null)]
    [InlineData("-5", null)]
    public async Task RetryAfterIsReadFromTheRawHeaderSoAnAbsurdAskIsNeverLost(string header, int? expectedSeconds)
    {
        var url = _server.ServeStatus($"/retry-{Guid.NewGuid():N}", 503, header);

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(url));

        Assert.Equal(FetchFailure.RateLimited, failed.Category);
        if (expectedSeconds is null)
            Assert.Null(failed.RetryAfter);
        else if (expectedSeconds == -1)
            Assert.True(failed.RetryAfter > TimeSpan.FromDays(365), $"Retry-After: {header} read as {failed.RetryAfter}");
        else
            Assert.Equal(TimeSpan.FromSeconds(expectedSeconds.Value), failed.RetryAfter);
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    [InlineData(false, 1)]
    public async Task ABodyIsReadWholeUpToTheCapAndRefusedOneBytePastItWithOrWithoutAContentLength(bool contentLength, int overCap)
    {
        const int cap = 300_000; // several read chunks
        await using var services = Services(TestFetching.Loopback with { MaxBodyBytes = cap });
        var body = new byte[cap + overCap];
        Random.Shared.NextBytes(body);
        var url = _server.Handle("/body", async context =>
        {
            context.Response.ContentType = "application/xml";
            if (contentLength)
                context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });

        var result = await FetchAsync(services.GetRequiredService<FeedFetcher>(), url);

        if (overCap > 0)
            Assert.Equal(FetchFailure.TooLarge, Assert.IsType<FetchResult.Failed>(result).Category);
        else
            Assert.Equal(body, Assert.IsType<FetchResult.Fetched>(result).Body.ToArray());
    }

    [Fact]
    public async Task ACompressedBodyWithAContentLengthIsReadWholeAfterDecompression()
    {
        var feed = TestFiles.SampleBytes("techdesk.rss");
        using var gzipped = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(feed);
        var compressed = gzipped.ToArray();
        var url = _server.Handle("/gzip-length.xml", async context =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.ContentLength = compressed.Length;
            await context.Response.Body.WriteAsync(compressed, context.RequestAborted);
        });

        var fetched = Assert.IsType<FetchResult.Fetched>(await FetchAsync(url));

        Assert.True(compressed.Length < feed.Length);
        Assert.Equal(feed, fetched.Body.ToArray());
    }

    [Fact]
    public async Task ABodyShorterThanItsContentLengthIsANetworkFailure()
    {
        var url = _server.Handle("/short", async context =>
        {
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(new byte[1000], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        });

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(url));

        Assert.Equal(FetchFailure.Network, failed.Category);
    }

    [Theory]
    [InlineData(404, FetchFailure.HttpStatus)]
    [InlineData(500, FetchFailure.HttpStatus)]
    [InlineData(410, FetchFailure.Gone)]
    public async Task HttpErrorsAreFailuresWithTheirStatus(int status, FetchFailure category)
    {
        var url = _server.ServeStatus($"/status-{status}", status);

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(url));

        Assert.Equal(category, failed.Category);
        Assert.Equal(status, failed.StatusCode);
    }

    [Theory]
    [InlineData("301", "/final.xml")]
    [InlineData("308", "/final.xml")]
    [InlineData("301 301", "/final.xml")]
    [InlineData("301 302", "/hop1")]
    [InlineData("302", null)]
    [InlineData("307", null)]
    [InlineData("302 301", null)]
    public async Task RedirectsAreFollowedAndOnlyLeadingPermanentHopsMoveTheSource(string statuses, string? movedTo)
    {
        var hops = statuses.Split(' ').Select(int.Parse).ToList();
        for (var i = 0; i < hops.Count; i++)
            _server.ServeRedirect($"/hop{i}", hops[i], i == hops.Count - 1 ? "/final.xml" : $"/hop{i + 1}");
        _server.Serve("/final.xml", TestFiles.SampleBytes("world-wire.rss"));

        var fetched = Assert.IsType<FetchResult.Fetched>(await FetchAsync(new Uri(_server.BaseUri, "hop0")));

        Assert.Equal(movedTo is null ? null : new Uri(_server.BaseUri, movedTo.TrimStart('/')), fetched.MovedPermanentlyTo);
        Assert.Equal(1, _server.RequestCount("/final.xml"));
    }

    [Theory]
    [InlineData(5, null)]
    [InlineData(6, "too many redirects: more than 5")]
    public async Task AtMostFiveRedirectsAreFollowed(int hops, string? reason)
    {
        for (var i = 0; i < hops; i++)
            _server.ServeRedirect($"/chain{i}", 302, i == hops - 1 ? "/end.xml" : $"/chain{i + 1}");
        _server.Serve("/end.xml", TestFiles.SampleBytes("world-wire.rss"));

        var result = await FetchAsync(new Uri(_server.BaseUri, "chain0"));

        if (reason is null)
        {
            Assert.IsType<FetchResult.Fetched>(result);
            return;
        }
        var failed = Assert.IsType<FetchResult.Failed>(result);
        Assert.Equal(FetchFailure.RedirectLoop, failed.Category);
        Assert.StartsWith(reason, failed.Reason);
        Assert.Equal(0, _server.RequestCount("/end.xml"));
    }

    [Fact]
    public async Task ARedirectLoopIsDetectedOnTheFirstRepeat()
    {
        _server.ServeRedirect("/a", 301, "/b");
        _server.ServeRedirect("/b", 302, "/a#again");

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(new Uri(_server.BaseUri, "a")));

        Assert.Equal(FetchFailure.RedirectLoop, failed.Category);
        Assert.StartsWith("redirect loop:", failed.Reason);
        Assert.Equal((1, 1), (_server.RequestCount("/a"), _server.RequestCount("/b")));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(1, 6)]
    public async Task ALongOrLoopingChainOnABusyHostEndsAsARedirectFailureNotATimeout(int spacingSeconds, int chainLength)
    {
        // The default spacing of a second between requests to a host, and a deadline shorter than the chain takes in
        // spacing alone: the spacing is politeness, not the source's slowness, and never turns a chain into a Timeout.
        await using var services = Services(TestFetching.Loopback with
        {
            MinHostSpacing = TimeSpan.FromSeconds(spacingSeconds),
            Timeout = TimeSpan.FromSeconds(spacingSeconds * chainLength) / 2,
        });
        for (var i = 0; i < chainLength; i++)
            _server.ServeRedirect($"/loop{i}", 308, i == chainLength - 1 ? "/loop0" : $"/loop{i + 1}");

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(services.GetRequiredService<FeedFetcher>(), new Uri(_server.BaseUri, "loop0")));

        Assert.Equal(FetchFailure.RedirectLoop, failed.Category);
        Assert.StartsWith(chainLength > 5 ? "too many redirects" : "redirect loop", failed.Reason);
    }

    [Fact]
    public async Task RedirectHopsToTheSameHostContinueInItsSlotSpacedAndAheadOfSourcesWaitingForIt()
    {
        var spacing = TimeSpan.FromMilliseconds(200);
        await using var services = Services(TestFetching.Loopback with { MinHostSpacing = spacing });
        var fetcher = services.GetRequiredService<FeedFetcher>();
        _server.ServeRedirect("/a/start", 308, "/a/next");
        _server.ServeRedirect("/a/next", 301, "/a/last");
        _server.ServeRedirect("/a/last", 302, "/a/feed.xml");
        _server.Serve("/a/feed.xml", TestFiles.SampleBytes("world-wire.rss"));
        var other = _server.Serve("/b/feed.xml", TestFiles.SampleBytes("techdesk.rss"));

        var redirected = FetchAsync(fetcher, new Uri(_server.BaseUri, "a/start"));
        while (_server.RequestCount("/a/start") == 0)
            await Task.Delay(5);
        var waiting = FetchAsync(fetcher, other);
        await Task.WhenAll(redirected, waiting);

        Assert.IsType<FetchResult.Fetched>(await redirected);
        Assert.IsType<FetchResult.Fetched>(await waiting);
        string[] paths = ["/a/start", "/a/next", "/a/last", "/a/feed.xml", "/b/feed.xml"];
        var times = paths.Select(path => _server.RequestTimes(path).Single()).ToList();
        Assert.Equal(times.Order(), times);
        // Starts are spaced at the client; arrivals at the server may bunch by the scheduling jitter of a loaded machine.
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= spacing * 0.6, $"{(pair.Second - pair.First).TotalMilliseconds:0} ms apart"));
    }

    [Theory]
    [InlineData("file:///etc/passwd", FetchFailure.BadScheme)]
    [InlineData("ftp://127.0.0.1/feed", FetchFailure.BadScheme)]
    [InlineData("gopher://127.0.0.1/feed", FetchFailure.BadScheme)]
    [InlineData("http://169.254.169.254/latest/meta-data/", FetchFailure.BlockedAddress)]
    [InlineData("http://127.0.0.2:9/", FetchFailure.BlockedAddress)]
    [InlineData("http://[::1]:9/", FetchFailure.BlockedAddress)]
    public async Task EveryRedirectHopIsCheckedForSchemeAndAddress(string target, FetchFailure category)
    {
        _server.ServeRedirect("/escape", 302, target);

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(new Uri(_server.BaseUri, "escape")));

        Assert.Equal(category, failed.Category);
    }

    [Fact]
    public async Task AnUnchangedLocalFileIsNotModified()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("feed.rss"), TestFiles.SampleBytes("techdesk.rss"));
        var location = SourceLocation.ForFile(folder.File("feed.rss"));

        var first = Assert.IsType<FetchResult.Fetched>(await Fetcher.FetchAsync(location, Validators.None, CancellationToken.None));
        var second = await Fetcher.FetchAsync(location, first.Validators, CancellationToken.None);
        File.SetLastWriteTimeUtc(folder.File("feed.rss"), DateTime.UtcNow.AddMinutes(1));
        var third = await Fetcher.FetchAsync(location, first.Validators, CancellationToken.None);

        Assert.IsType<FetchResult.NotModified>(second);
        Assert.IsType<FetchResult.Fetched>(third);
    }

    [Fact]
    public async Task AMissingLocalFileIsAFailureThatNamesIt()
    {
        var failed = Assert.IsType<FetchResult.Failed>(await Fetcher.FetchAsync(SourceLocation.ForFile("/nonexistent/feed.rss"), Validators.None, CancellationToken.None));

        Assert.Equal(FetchFailure.FileMissing, failed.Category);
        Assert.Contains("/nonexistent/feed.rss", failed.Reason);
    }

    [Fact]
    public async Task CacheControlMaxAgeIsReported()
    {
        var url = _server.Serve("/cached.xml", TestFiles.SampleBytes("world-wire.rss"), cacheControl: "public, max-age=3600");

        var fetched = Assert.IsType<FetchResult.Fetched>(await FetchAsync(url));

        Assert.Equal(TimeSpan.FromHours(1), fetched.MaxAge);
    }

    [Fact]
    public async Task AConnectionRefusedIsANetworkFailure()
    {
        var closedPort = new Uri($"http://127.0.0.1:{UnusedPort()}/feed");

        var failed = Assert.IsType<FetchResult.Failed>(await FetchAsync(closedPort));

        Assert.Equal(FetchFailure.Network, failed.Category);
    }

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
