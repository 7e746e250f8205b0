using Feeds.Core.Fetching;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Fetching;

public sealed class FetchThrottleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ASecondRequestToAHostWaitsForTheFirstAndForTheSpacing()
    {
        var throttle = new FetchThrottle(new FetchOptions { PerHostConcurrency = 1, MinHostSpacing = TimeSpan.FromSeconds(2) }, _clock);

        var first = await throttle.EnterAsync("news.example", CancellationToken.None);
        var second = throttle.EnterAsync("news.example", CancellationToken.None);
        var otherHost = throttle.EnterAsync("blog.example", CancellationToken.None);
        first.Dispose();
        await Task.Delay(50);

        Assert.True(otherHost.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(2));
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        (await otherHost).Dispose();
    }

    [Fact]
    public async Task TheGlobalCapHoldsAcrossHosts()
    {
        var throttle = new FetchThrottle(new FetchOptions { MaxConcurrency = 2, MinHostSpacing = TimeSpan.Zero }, _clock);

        using var a = await throttle.EnterAsync("a.example", CancellationToken.None);
        var b = await throttle.EnterAsync("b.example", CancellationToken.None);
        var c = throttle.EnterAsync("c.example", CancellationToken.None);
        await Task.Delay(50);

        Assert.False(c.IsCompleted);
        b.Dispose();
        (await c.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }
}
