using Feeds.Core.Composition;
using Feeds.Core.Fetching;
using Feeds.Core.Sources;
using Feeds.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Feeds.Tests.Fetching;

/// <summary>
/// The fetch deadline against a real loopback server, with the deadline's clock in the test's hands: it counts the
/// source's own exchange, summed over its hops, and never a wait for a politeness slot.
/// </summary>
public sealed class FetchDeadlineTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly WatchedClock _clock = new();
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;

    private FeedFetcher Fetcher => _services.GetRequiredService<FeedFetcher>();

    public async Task InitializeAsync() => _server = await LoopbackSourceServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private void Start(TimeSpan hostSpacing) =>
        _services = new ServiceCollection().AddSingleton<TimeProvider>(_clock)
            .AddFeedsCore(":memory:", TestFetching.Loopback with { Timeout = Deadline, MinHostSpacing = hostSpacing })
            .BuildServiceProvider();

    private Task<FetchResult> FetchAsync(Uri url) => Fetcher.FetchAsync(SourceLocation.ForUrl(url), Validators.None, CancellationToken.None);

    private async Task WaitForRequestAsync(string path, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_server.RequestCount(path) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no request to {path}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task TheDeadlineEndsAnExchangeThatDoesNotAnswer()
    {
        Start(TimeSpan.Zero);
        var hang = _server.ServeHang("/hang");

        var fetch = FetchAsync(hang);
        await WaitForRequestAsync("/hang");
        _clock.Advance(Deadline - TimeSpan.FromSeconds(1));
        var stillWaiting = !fetch.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(1));

        var failed = Assert.IsType<FetchResult.Failed>(await fetch.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(stillWaiting);
        Assert.Equal(FetchFailure.Timeout, failed.Category);
        Assert.Equal("no complete answer within 30 s", failed.Reason);
    }

    [Fact]
    public async Task WaitingForABusyHostsSlotBeforeARedirectHopNeverCountsAgainstTheDeadline()
    {
        // localhost's next start is an hour away (its spacing), so the redirect's hop to it waits an hour for its turn.
        Start(TimeSpan.FromHours(1));
        var feed = new Uri(_server.LocalhostUri, "feed.xml");
        _server.Serve("/feed.xml", TestFiles.SampleBytes("world-wire.rss"));
        _server.ServeRedirect("/moved", 301, feed.AbsoluteUri);
        Assert.IsType<FetchResult.Fetched>(await FetchAsync(feed));

        var fetch = FetchAsync(new Uri(_server.BaseUri, "moved"));
        await _clock.WaitForTimerAsync(TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromHours(1));

        var fetched = Assert.IsType<FetchResult.Fetched>(await fetch.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(feed, fetched.MovedPermanentlyTo);
        Assert.Equal(2, _server.RequestCount("/feed.xml"));
    }

    [Fact]
    public async Task TheHopsOfOneFetchShareOneDeadline()
    {
        Start(TimeSpan.Zero);
        var answer = new TaskCompletionSource();
        _server.Handle("/slow-redirect", async context =>
        {
            await answer.Task;
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = "/hang";
        });
        _server.ServeHang("/hang");

        var fetch = FetchAsync(new Uri(_server.BaseUri, "slow-redirect"));
        await WaitForRequestAsync("/slow-redirect");
        // The first hop takes 20 s of the 30; the second gets the 10 s that remain.
        _clock.Advance(TimeSpan.FromSeconds(20));
        answer.SetResult();
        await WaitForRequestAsync("/hang");
        await _clock.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromSeconds(10));

        var failed = Assert.IsType<FetchResult.Failed>(await fetch.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(FetchFailure.Timeout, failed.Category);
    }

    [Fact]
    public async Task ARedirectToAnotherHostGivesTheFirstHostsSlotBack()
    {
        Start(TimeSpan.Zero);
        _server.ServeRedirect("/away", 302, new Uri(_server.LocalhostUri, "hang").AbsoluteUri);
        _server.ServeHang("/hang");
        var healthy = _server.Serve("/feed.xml", TestFiles.SampleBytes("world-wire.rss"));

        var away = FetchAsync(new Uri(_server.BaseUri, "away"));
        await WaitForRequestAsync("/hang");
        var meanwhile = await FetchAsync(healthy).WaitAsync(TimeSpan.FromSeconds(10));
        var awayStillWaiting = !away.IsCompleted;
        _clock.Advance(Deadline);

        Assert.IsType<FetchResult.Fetched>(meanwhile);
        Assert.True(awayStillWaiting);
        Assert.Equal(FetchFailure.Timeout, Assert.IsType<FetchResult.Failed>(await away.WaitAsync(TimeSpan.FromSeconds(10))).Category);
    }

    [Fact]
    public async Task AHostThatTimedOutGetsAThirdOfTheDeadlineForAnHour()
    {
        Start(TimeSpan.Zero);
        var hang = _server.ServeHang("/hang");

        var first = FetchAsync(hang);
        await WaitForRequestAsync("/hang");
        _clock.Advance(Deadline);
        await first.WaitAsync(TimeSpan.FromSeconds(10));

        var second = FetchAsync(hang);
        await WaitForRequestAsync("/hang", 2);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var shortened = Assert.IsType<FetchResult.Failed>(await second.WaitAsync(TimeSpan.FromSeconds(10)));

        _clock.Advance(FetchThrottle.SlowHostMemory);
        var third = FetchAsync(hang);
        await WaitForRequestAsync("/hang", 3);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var fullAgain = !third.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(20));
        await third.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(FetchFailure.Timeout, shortened.Category);
        Assert.StartsWith("no complete answer within 10 s (a shortened deadline", shortened.Reason);
        Assert.True(fullAgain, "an hour after its last timeout the host has the whole deadline again");
    }
}
