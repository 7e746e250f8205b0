using System.Globalization;
using System.Net;
using System.Text;
using Feeds.Core.Composition;
using Feeds.Core.Fetching;
using Feeds.Core.Normalization;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Refreshing;

/// <summary>The pipeline against a real loopback source and SQLite file, with the clock in the test's hands.</summary>
public sealed class SourceRefresherTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    // Half the spread on the first wait, then the whole fifth off the backoff, then none: each due time is exact.
    private readonly ScriptedJitter _jitter = new(0.5, 1, 0);
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;

    private SourceRefresher Refresher => _services.GetRequiredService<SourceRefresher>();
    private IPollStore Polls => _services.GetRequiredService<IPollStore>();
    private IPublishingStore Publishing => _services.GetRequiredService<IPublishingStore>();

    public async Task InitializeAsync()
    {
        _server = await LoopbackSourceServer.StartAsync();
        _services = await StartServicesAsync("feeds.db");
    }

    /// <summary>The pipeline on a SQLite file of the test's folder, its services altered by <paramref name="alter"/>.</summary>
    private async Task<ServiceProvider> StartServicesAsync(string databaseFile, Action<IServiceCollection>? alter = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            // 127.0.0.0/8 so that the outage test can use several loopback "hosts".
            .AddFeedsCore(_folder.File(databaseFile), TestFetching.Loopback with { AllowedPrivateNetworks = [IPNetwork.Parse("127.0.0.0/8")] })
            .AddSingleton<Jitter>(_jitter);
        alter?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
        return provider;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private Source HttpSource(string path, string id = "wire") => SourceAt(new Uri(_server.BaseUri, path.TrimStart('/')), id);

    private static Source SourceAt(Uri url, string id = "wire") => new(id, "Wire", SourceLocation.ForUrl(url), ["world"], Interval);

    private Task<RefreshResult> PollAsync(Source source, PollReason reason = PollReason.Schedule) => Refresher.RefreshAsync(source, reason, CancellationToken.None);

    private async Task<SourceState> StateAsync(string id = "wire") => (await Polls.GetSourceStateAsync(id, CancellationToken.None))!;

    [Fact]
    public async Task APollStoresTheItemsAndARepollAddsNothing()
    {
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = HttpSource("/wire.rss");

        var first = Assert.IsType<RefreshResult.Updated>(await PollAsync(source, PollReason.Manual));
        var second = await PollAsync(source, PollReason.Manual);

        Assert.Equal(10, first.Added);
        Assert.IsType<RefreshResult.NotModified>(second);
        Assert.Equal(10, (await Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 100, CancellationToken.None)).Count);
        var state = await StateAsync();
        Assert.Equal(PollOutcome.NotModified, state.LastOutcome);
        Assert.Equal(304, state.LastHttpStatus);
        Assert.Equal("Harbor Wire — World", state.FeedTitle);
        Assert.Equal((1, 1), (_server.FullRequestCount("/wire.rss"), _server.ConditionalRequestCount("/wire.rss")));
    }

    [Fact]
    public async Task AFullResponseWithUnchangedItemsChangesNothing()
    {
        var bytes = TestFiles.SampleBytes("world-wire.rss");
        _server.Serve("/wire.rss", bytes);
        var source = HttpSource("/wire.rss");
        await PollAsync(source, PollReason.Manual);

        // Same items, new ETag: the server does not support conditional GET well.
        _server.Serve("/wire.rss", [.. bytes, .. "\n"u8.ToArray()]);
        var again = Assert.IsType<RefreshResult.Updated>(await PollAsync(source, PollReason.Manual));

        Assert.Equal((10, 0, 0), (again.ItemsInFeed, again.Added, again.Changed));
    }

    [Fact]
    public async Task AScheduledPollWaitsUntilTheSourceIsDueAndNotASecondLess()
    {
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = HttpSource("/wire.rss");
        var polledAt = _clock.GetUtcNow();
        await PollAsync(source);
        var polled = await StateAsync();
        var dueAt = polled.NextDueAt!.Value;

        var early = await PollAsync(source);
        _clock.SetUtcNow(dueAt - TimeSpan.FromSeconds(1));
        var aSecondEarly = await PollAsync(source);
        _clock.SetUtcNow(dueAt);
        var due = await PollAsync(source);

        // The sample's items are days apart: the 12 h maximum interval, plus half its spread (at most 5 min), to the millisecond.
        Assert.Equal(TimeSpan.FromHours(12), polled.PollInterval);
        Assert.Equal(polledAt + TimeSpan.FromHours(12) + TimeSpan.FromMinutes(2.5), dueAt);
        Assert.Equal(dueAt, Assert.IsType<RefreshResult.NotDue>(early).DueAt);
        Assert.Equal(dueAt, Assert.IsType<RefreshResult.NotDue>(aSecondEarly).DueAt);
        Assert.IsType<RefreshResult.NotModified>(due);
        Assert.Equal(2, _server.RequestCount("/wire.rss"));
    }

    [Fact]
    public async Task CacheControlMaxAgeOnA200IsTheEarliestNextPoll()
    {
        // Items every ten minutes would have it polled every five; the publisher asks for an hour.
        _server.Serve("/cached.rss", Feed(_clock.GetUtcNow(), TimeSpan.FromMinutes(10), ""), cacheControl: "public, max-age=3600");
        var source = HttpSource("/cached.rss");
        var polledAt = _clock.GetUtcNow();
        await PollAsync(source);

        _clock.SetUtcNow(polledAt + TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        var early = await PollAsync(source);
        _clock.SetUtcNow((await StateAsync()).NextDueAt!.Value);
        await PollAsync(source);

        Assert.IsType<RefreshResult.NotDue>(early);
        Assert.Equal(TimeSpan.FromHours(1), (await StateAsync()).PollInterval);
        Assert.Equal(2, _server.RequestCount("/cached.rss"));
    }

    [Fact]
    public async Task AFailureIsRecordedAndTheSourceBacksOff()
    {
        _server.ServeStatus("/down", 500);
        var source = HttpSource("/down");

        var failed = Assert.IsType<RefreshResult.Failed>(await PollAsync(source));
        var meanwhile = await PollAsync(source);
        _clock.Advance(Interval * 1.1 + TimeSpan.FromSeconds(1)); // the longest first wait: the interval and a tenth of jitter
        await PollAsync(source);

        Assert.Equal("HttpStatus", failed.Category);
        Assert.IsType<RefreshResult.NotDue>(meanwhile);
        var state = await StateAsync();
        Assert.Equal((2, 2), (state.ConsecutiveFailures, state.BackoffLevel));
        Assert.Equal(500, state.LastHttpStatus);
        Assert.Contains("500", state.LastError);
        Assert.Equal(2, _server.RequestCount("/down"));
    }

    [Fact]
    public async Task BackoffDoublesToItsCapWithTheJitterTakenOffAndNeverStops()
    {
        _server.ServeStatus("/down", 500);
        var source = HttpSource("/down");
        var waits = new List<TimeSpan>();

        for (var poll = 0; poll < 12; poll++)
        {
            var failed = Assert.IsType<RefreshResult.Failed>(await PollAsync(source));
            waits.Add(failed.RetryNotBefore - _clock.GetUtcNow());
            _clock.SetUtcNow(failed.RetryNotBefore);
        }

        // Never sooner than the interval: the jitter of the first wait (0.5) is added to it, not taken off. Then the
        // doubling, first with the whole fifth off (jitter 1), then none off (0), up to the 6 h cap.
        Assert.Equal(Interval + TimeSpan.FromSeconds(45), waits[0]);
        Assert.Equal(Interval * 2 * 0.8, waits[1]);
        Assert.Equal([Interval * 4, Interval * 8, Interval * 16], waits[2..5]);
        Assert.All(waits[5..], wait => Assert.Equal(TimeSpan.FromHours(6), wait));
        Assert.Equal(12, _server.RequestCount("/down"));
    }

    [Theory]
    [InlineData(429, "3600", 60)]
    [InlineData(503, "172800", 24 * 60)]
    [InlineData(503, "999999999999", 24 * 60)]
    [InlineData(503, "date+90m", 90)]
    [InlineData(503, "Fri, 31 Dec 9999 23:59:59 GMT", 24 * 60)]
    [InlineData(429, "30", 15)]   // sooner than the source's interval: the interval
    public async Task RetryAfterIsHonouredEvenByAManualPollCappedAtADayAndNeverUnderTheInterval(int status, string retryAfter, int expectedMinutes)
    {
        var header = retryAfter == "date+90m" ? _clock.GetUtcNow().AddMinutes(90).ToString("R", CultureInfo.InvariantCulture) : retryAfter;
        _server.ServeStatus("/busy", status, header);
        var source = HttpSource("/busy");

        await PollAsync(source, PollReason.Manual);
        var tooSoon = await PollAsync(source, PollReason.Manual);

        Assert.Equal(_clock.GetUtcNow().AddMinutes(expectedMinutes), Assert.IsType<RefreshResult.NotDue>(tooSoon).DueAt);
        Assert.Equal(1, _server.RequestCount("/busy"));
    }

    [Fact]
    public async Task AGoneSourceIsMarkedAndAskedOnlyDailyUntilItComesBack()
    {
        _server.ServeStatus("/wire.rss", 410);
        var source = HttpSource("/wire.rss");
        var start = _clock.GetUtcNow();

        var failed = Assert.IsType<RefreshResult.Failed>(await PollAsync(source));
        _clock.Advance(TimeSpan.FromHours(23));
        var stillWaiting = await PollAsync(source, PollReason.Manual);
        var gone = await StateAsync();
        _clock.Advance(TimeSpan.FromHours(1));
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        await PollAsync(source);

        Assert.Equal("Gone", failed.Category);
        Assert.Equal(start.AddDays(1), failed.RetryNotBefore);
        Assert.IsType<RefreshResult.NotDue>(stillWaiting);
        Assert.NotNull(gone.GoneSince);
        Assert.Null((await StateAsync()).GoneSince);
        Assert.Equal(2, _server.RequestCount("/wire.rss"));
    }

    [Theory]
    [InlineData(301, true)]
    [InlineData(308, true)]
    [InlineData(302, false)]
    [InlineData(307, false)]
    public async Task APermanentRedirectSeenOnTwoConsecutivePollsMovesTheSource(int status, bool moves)
    {
        _server.ServeRedirect("/old.rss", status, "/new.rss");
        var newUrl = _server.Serve("/new.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = HttpSource("/old.rss");

        await PollAsync(source, PollReason.Manual);
        var afterOne = await StateAsync();
        await PollAsync(source, PollReason.Manual);
        var afterTwo = await StateAsync();
        await PollAsync(source, PollReason.Manual);

        Assert.Null(afterOne.MovedTo);
        Assert.Equal(moves ? newUrl.AbsoluteUri : null, afterOne.RedirectCandidate);
        Assert.Equal(moves ? newUrl.AbsoluteUri : null, afterTwo.MovedTo);
        Assert.Equal(source.Location.ToString(), afterTwo.Url);
        Assert.Equal(moves ? 2 : 3, _server.RequestCount("/old.rss"));
        Assert.Equal(3, _server.RequestCount("/new.rss"));
    }

    [Fact]
    public async Task APermanentRedirectSeenOnlyOnceDoesNotMoveTheSource()
    {
        _server.ServeRedirect("/old.rss", 301, "/new.rss");
        _server.Serve("/new.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = HttpSource("/old.rss");

        await PollAsync(source, PollReason.Manual);
        _server.Serve("/old.rss", TestFiles.SampleBytes("world-wire.rss"));
        await PollAsync(source, PollReason.Manual);
        _server.ServeRedirect("/old.rss", 301, "/new.rss");
        await PollAsync(source, PollReason.Manual);

        var state = await StateAsync();
        Assert.Null(state.MovedTo);
        Assert.NotNull(state.RedirectCandidate);
    }

    [Fact]
    public async Task OnePollOfASourceIsInFlightAtATimeWhateverThePath()
    {
        _server.Serve("/slow.rss", TestFiles.SampleBytes("world-wire.rss"), delay: TimeSpan.FromMilliseconds(300));
        var source = HttpSource("/slow.rss");

        await Task.WhenAll(PollAsync(source, PollReason.Manual), PollAsync(source, PollReason.Startup), PollAsync(source, PollReason.Manual));

        Assert.Equal(3, _server.RequestCount("/slow.rss"));
        Assert.Equal(1, _server.MostConcurrentRequests("/slow.rss"));
    }

    [Fact]
    public async Task ANetworkWideOutageDoesNotPushSourcesIntoLongBackoff()
    {
        // Three loopback "hosts" on a port nobody listens on: every connection is refused, as in an outage.
        var port = UnusedPort();
        var sources = Enumerable.Range(2, 3).Select(n => SourceAt(new Uri($"http://127.0.0.{n}:{port}/feed"), $"s{n}")).ToList();

        for (var round = 0; round < 8; round++)
        {
            foreach (var source in sources)
                await PollAsync(source, PollReason.Manual);
            _clock.Advance(Interval * 1.2);
        }

        foreach (var source in sources)
        {
            var state = await StateAsync(source.Id);
            Assert.Equal("Network", state.LastErrorCategory);
            Assert.Equal(8, state.ConsecutiveFailures);
            // Only the failures before the outage was recognised (fewer than three hosts down) count.
            Assert.InRange(state.BackoffLevel, 0, 1);
            Assert.Contains("network-wide outage", state.LastError);
        }
    }

    [Fact]
    public async Task SourcesFailingWhileOtherHostsAnswerAreBackedOff()
    {
        var port = UnusedPort();
        var failing = Enumerable.Range(2, 3).Select(n => SourceAt(new Uri($"http://127.0.0.{n}:{port}/feed"), $"s{n}")).ToList();
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var healthy = HttpSource("/wire.rss");

        for (var round = 0; round < 4; round++)
        {
            await PollAsync(healthy, PollReason.Manual);
            foreach (var source in failing)
                await PollAsync(source, PollReason.Manual);
            _clock.Advance(TimeSpan.FromHours(7));
        }

        foreach (var source in failing)
            Assert.Equal(4, (await StateAsync(source.Id)).BackoffLevel);
    }

    public static TheoryData<string, string, string> UnreadableDocuments => new()
    {
        { "not a feed", "<html><body>Maintenance</body></html>", "NotAFeed" },
        // One 1,000-character entity used 2,000 times: 2 M characters of expansion, over the parser's bound.
        { "an entity bomb", "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"" + new string('a', 1000) + "\">]><rss version=\"2.0\"><channel><title>"
            + string.Concat(Enumerable.Repeat("&a;", 2000)) + "</title></channel></rss>", "Unreadable" },
    };

    [Theory]
    [MemberData(nameof(UnreadableDocuments))]
    public async Task ADocumentThatIsNotAReadableFeedIsCategorizedAndKeepsTheStoredItems(string _, string document, string category)
    {
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = HttpSource("/wire.rss");
        await PollAsync(source, PollReason.Manual);

        _server.Serve("/wire.rss", Encoding.UTF8.GetBytes(document), "text/html");
        var failed = Assert.IsType<RefreshResult.Failed>(await PollAsync(source, PollReason.Manual));

        Assert.Equal(category, failed.Category);
        Assert.Equal(category, (await StateAsync()).LastErrorCategory);
        Assert.Equal(10, (await Publishing.GetItemsAsync(["wire"], ItemCursor.Newest, 100, CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData(10, "", null, 5)]            // an item every 10 min: half the gap, raised to the 5 min minimum
    [InlineData(60, "", null, 27)]           // hourly items, the newest just out: 9 h over 10 items, halved
    [InlineData(60, "<ttl>120</ttl>", null, 120)]
    [InlineData(60, "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>", null, 360)]
    [InlineData(60, "", "max-age=7200", 120)]
    [InlineData(60 * 24 * 30, "", null, 12 * 60)] // a monthly feed: the 12 h maximum
    public async Task TheIntervalFollowsTheFeedsRhythmButNeverUndercutsThePublisher(int minutesBetweenItems, string channelHints, string? cacheControl, int expectedMinutes)
    {
        _server.Serve("/rhythm.rss", Feed(_clock.GetUtcNow(), TimeSpan.FromMinutes(minutesBetweenItems), channelHints), cacheControl: cacheControl);
        var source = HttpSource("/rhythm.rss");

        await PollAsync(source);

        var state = await StateAsync();
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), state.PollInterval);
        // Plus half the spread: a tenth of the interval, at most 5 min.
        var spread = TimeSpan.FromTicks(Math.Min(state.PollInterval!.Value.Ticks / 10, TimeSpan.FromMinutes(5).Ticks)) * 0.5;
        Assert.Equal(_clock.GetUtcNow() + state.PollInterval.Value + spread, state.NextDueAt);
    }

    [Fact]
    public async Task AFeedThatFallsSilentIsPolledLessOftenWithoutANewBody()
    {
        _server.Serve("/rhythm.rss", Feed(_clock.GetUtcNow(), TimeSpan.FromMinutes(60), ""));
        var source = HttpSource("/rhythm.rss");
        await PollAsync(source);
        var busy = (await StateAsync()).PollInterval;

        _clock.Advance(TimeSpan.FromDays(2));
        await PollAsync(source);

        var quiet = await StateAsync();
        Assert.Equal(PollOutcome.NotModified, quiet.LastOutcome);
        Assert.True(quiet.PollInterval > busy * 2, $"{quiet.PollInterval} after two silent days, {busy} before");
    }

    [Fact]
    public async Task AsTheServiceStopsAPollStillWaitingOnItsSourceGivesUpAndSavesNothing()
    {
        var source = SourceAt(_server.ServeHang("/hang.rss"));
        using var stopping = new CancellationTokenSource();
        var poll = Refresher.RefreshAsync(source, PollReason.Manual, stopping.Token, CancellationToken.None);
        await WaitUntilAsync(() => _server.RequestCount("/hang.rss") == 1, "the hanging source was not asked");

        await stopping.CancelAsync();

        // Given up, not failed: a failure would be saved on the source's state (and the fetch deadline would end it as one).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await Polls.GetSourceStateAsync(source.Id, CancellationToken.None));
    }

    [Fact]
    public async Task AsTheServiceStopsAPollWhoseAnswerCameSavesIt()
    {
        // The SQLite store, its first read after an answer came (the source's stored item hashes) held until let go.
        await using var services = await StartServicesAsync("held.db", collection =>
        {
            var sqlite = collection.Single(service => service.ServiceType == typeof(IPollStore)).ImplementationType!;
            collection.AddSingleton(sqlite);
            collection.AddSingleton(provider => new HeldPollStore((IPollStore)provider.GetRequiredService(sqlite)));
            collection.AddSingleton<IPollStore>(provider => provider.GetRequiredService<HeldPollStore>());
        });
        var held = services.GetRequiredService<HeldPollStore>();
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        using var stopping = new CancellationTokenSource();
        var poll = services.GetRequiredService<SourceRefresher>().RefreshAsync(HttpSource("/wire.rss"), PollReason.Manual, stopping.Token, CancellationToken.None);
        await held.AnswerCame.WaitAsync(TimeSpan.FromSeconds(30));

        await stopping.CancelAsync();
        held.LetGo();

        Assert.Equal(10, Assert.IsType<RefreshResult.Updated>(await poll.WaitAsync(TimeSpan.FromSeconds(30))).Added);
        Assert.Equal(PollOutcome.Updated, (await held.GetSourceStateAsync("wire", CancellationToken.None))!.LastOutcome);
    }

    /// <summary>A poll store whose read of a source's item hashes, the ingest's first step once an answer came, waits until let go.</summary>
    private sealed class HeldPollStore(IPollStore store) : IPollStore
    {
        private readonly TaskCompletionSource _answerCame = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _letGo = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AnswerCame => _answerCame.Task;

        public StoreFault? WriteFault => store.WriteFault;

        public void LetGo() => _letGo.TrySetResult();

        public Task<SourceState?> GetSourceStateAsync(string sourceId, CancellationToken cancellationToken) => store.GetSourceStateAsync(sourceId, cancellationToken);

        public async Task<IReadOnlyDictionary<string, string>> GetItemHashesAsync(string sourceId, CancellationToken cancellationToken)
        {
            _answerCame.TrySetResult();
            await _letGo.Task.WaitAsync(cancellationToken);
            return await store.GetItemHashesAsync(sourceId, cancellationToken);
        }

        public Task<SaveResult> SavePollAsync(SourceState state, IReadOnlyList<NormalizedItem> items, CancellationToken cancellationToken) =>
            store.SavePollAsync(state, items, cancellationToken);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }

    private static byte[] Feed(DateTimeOffset now, TimeSpan between, string channelHints)
    {
        var items = string.Concat(Enumerable.Range(0, 10).Select(i =>
            $"<item><title>Story {i}</title><link>https://news.example/{i}</link><guid>https://news.example/{i}</guid><pubDate>{(now - between * i).ToString("R", CultureInfo.InvariantCulture)}</pubDate></item>"));
        return Encoding.UTF8.GetBytes($"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
            <title>Rhythm</title><link>https://news.example/</link><description>d</description>{channelHints}{items}
            </channel></rss>
            """);
    }

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
