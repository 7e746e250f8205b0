using Feeds.Core;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Refreshing;

public sealed class SourceRefresherTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;

    private SourceRefresher Refresher => _services.GetRequiredService<SourceRefresher>();
    private IFeedStore Store => _services.GetRequiredService<IFeedStore>();

    public async Task InitializeAsync()
    {
        _server = await LoopbackSourceServer.StartAsync();
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddFeedsCore(_folder.File("feeds.db"))
            .BuildServiceProvider();
        await Store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private Source HttpSource(string path) =>
        new("wire", "Wire", SourceLocation.ForUrl(new Uri(_server.BaseUri, path.TrimStart('/'))), ["world"], TimeSpan.FromMinutes(15));

    [Fact]
    public async Task APollStoresTheItemsAndARepollAddsNothing()
    {
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = HttpSource("/wire.rss");

        var first = Assert.IsType<RefreshResult.Updated>(await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None));
        var second = await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);

        Assert.Equal(10, first.Added);
        Assert.IsType<RefreshResult.NotModified>(second);
        Assert.Equal(10, (await Store.GetLatestItemsAsync(["wire"], 100, CancellationToken.None)).Count);
        var state = await Store.GetSourceStateAsync("wire", CancellationToken.None);
        Assert.Equal(PollOutcome.NotModified, state!.LastOutcome);
        Assert.Equal(304, state.LastHttpStatus);
        Assert.Equal("Harbor Wire — World", state.FeedTitle);
    }

    [Fact]
    public async Task AFullResponseWithUnchangedItemsChangesNothing()
    {
        var bytes = TestFiles.SampleBytes("world-wire.rss");
        _server.Serve("/wire.rss", bytes);
        var source = HttpSource("/wire.rss");
        await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);

        // Same items, new ETag: the server does not support conditional GET well.
        _server.Serve("/wire.rss", [.. bytes, .. "\n"u8.ToArray()]);
        var again = Assert.IsType<RefreshResult.Updated>(await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None));

        Assert.Equal((10, 0, 0), (again.ItemsInFeed, again.Added, again.Changed));
    }

    [Fact]
    public async Task AFailureIsRecordedAndTheSourceBacksOff()
    {
        _server.ServeStatus("/down", 500);
        var source = HttpSource("/down");

        var failed = Assert.IsType<RefreshResult.Failed>(await Refresher.RefreshAsync(source, PollReason.Schedule, CancellationToken.None));
        var meanwhile = await Refresher.RefreshAsync(source, PollReason.Schedule, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(16));
        await Refresher.RefreshAsync(source, PollReason.Schedule, CancellationToken.None);

        Assert.Equal("HttpStatus", failed.Category);
        Assert.IsType<RefreshResult.NotDue>(meanwhile);
        var state = await Store.GetSourceStateAsync("wire", CancellationToken.None);
        Assert.Equal(2, state!.ConsecutiveFailures);
        Assert.Equal(500, state.LastHttpStatus);
        Assert.Contains("500", state.LastError);
        Assert.Equal(2, _server.RequestCount("/down"));
    }

    [Fact]
    public async Task RetryAfterIsHonouredEvenByAManualPoll()
    {
        _server.ServeStatus("/busy", 429, retryAfterSeconds: 3600);
        var source = HttpSource("/busy");

        await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);
        var tooSoon = await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);

        Assert.Equal(_clock.GetUtcNow().AddHours(1), Assert.IsType<RefreshResult.NotDue>(tooSoon).DueAt);
        Assert.Equal(1, _server.RequestCount("/busy"));
    }

    [Fact]
    public async Task ADocumentThatIsNotAFeedIsAParseFailureAndKeepsTheStoredItems()
    {
        _server.Serve("/wire.rss", TestFiles.SampleBytes("world-wire.rss"));
        var source = HttpSource("/wire.rss");
        await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None);

        _server.Serve("/wire.rss", "<html><body>Maintenance</body></html>"u8.ToArray(), "text/html");
        var failed = Assert.IsType<RefreshResult.Failed>(await Refresher.RefreshAsync(source, PollReason.Manual, CancellationToken.None));

        Assert.Equal("Parse", failed.Category);
        Assert.Equal(10, (await Store.GetLatestItemsAsync(["wire"], 100, CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData(1, 15)]
    [InlineData(2, 30)]
    [InlineData(3, 60)]
    [InlineData(10, 360)]
    public void BackoffDoublesPerFailureUpToSixHours(int failures, int expectedMinutes) =>
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), SourceRefresher.Backoff(TimeSpan.FromMinutes(15), failures, retryAfter: null));
}
