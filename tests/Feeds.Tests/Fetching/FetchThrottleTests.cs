using Feeds.Core.Fetching;
using Feeds.Core.Sources;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Fetching;

public sealed class FetchThrottleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ASecondRequestToAHostWaitsForTheFirstAndForTheSpacing()
    {
        var throttle = new FetchThrottle(new FetchingSettings(new FetchOptions { PerHostConcurrency = 1, MinHostSpacing = TimeSpan.FromSeconds(2) }), _clock);

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
        var throttle = new FetchThrottle(new FetchingSettings(new FetchOptions { MaxConcurrency = 2, MinHostSpacing = TimeSpan.Zero }), _clock);

        using var a = await throttle.EnterAsync("a.example", CancellationToken.None);
        var b = await throttle.EnterAsync("b.example", CancellationToken.None);
        var c = throttle.EnterAsync("c.example", CancellationToken.None);
        await Task.Delay(50);

        Assert.False(c.IsCompleted);
        b.Dispose();
        (await c.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task AnEditedGlobalCapHoldsForTheNextFetches()
    {
        var settings = new FetchingSettings(new FetchOptions { MaxConcurrency = 1, MinHostSpacing = TimeSpan.Zero });
        var throttle = new FetchThrottle(settings, _clock);
        using var a = await throttle.EnterAsync("a.example", CancellationToken.None);
        var queued = throttle.EnterAsync("b.example", CancellationToken.None);
        await Task.Delay(50);
        Assert.False(queued.IsCompleted);

        settings.Apply(Config(new FetchOptions { MaxConcurrency = 3, MinHostSpacing = TimeSpan.Zero }));
        using var c = await throttle.EnterAsync("c.example", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        using var d = await throttle.EnterAsync("d.example", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        using var e = await throttle.EnterAsync("e.example", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        var f = throttle.EnterAsync("f.example", CancellationToken.None);
        await Task.Delay(50);

        // Three on the new slots, a fourth waits; the one queued on the old slot waits for the fetch that holds it.
        Assert.False(f.IsCompleted);
        Assert.False(queued.IsCompleted);
        a.Dispose();
        (await queued.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        c.Dispose();
        (await f.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task AnEditedHostSpacingAndDeadlineHoldForTheNextFetches()
    {
        var settings = new FetchingSettings(new FetchOptions { MinHostSpacing = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(30) });
        var throttle = new FetchThrottle(settings, _clock);
        (await throttle.EnterAsync("news.example", CancellationToken.None)).Dispose();

        settings.Apply(Config(new FetchOptions { MinHostSpacing = TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(5) }));
        _clock.Advance(TimeSpan.FromSeconds(2));
        (await throttle.EnterAsync("news.example", CancellationToken.None)).Dispose();
        var third = throttle.EnterAsync("news.example", CancellationToken.None);

        // The second start was booked under the old spacing; the third, after the edit, waits for none.
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal((TimeSpan.FromSeconds(5), false), throttle.DeadlineFor("news.example"));
    }

    private static FeedsConfig Config(FetchOptions fetching) => new("feeds.json", [], [], new PublishingSettings()) { Fetching = fetching };

    [Fact]
    public async Task AHopInTheHeldSlotKeepsTheSpacingAndGoesBeforeFetchesWaitingForTheHost()
    {
        var throttle = new FetchThrottle(new FetchingSettings(new FetchOptions { PerHostConcurrency = 1, MinHostSpacing = TimeSpan.FromSeconds(2) }), _clock);

        var first = await throttle.EnterAsync("news.example", CancellationToken.None);
        var waiting = throttle.EnterAsync("news.example", CancellationToken.None);
        var hop = first.NextRequestAsync(CancellationToken.None);
        await Task.Delay(50);
        var hopWaitedForTheSpacing = !hop.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(2));
        await hop.WaitAsync(TimeSpan.FromSeconds(5));
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(50);
        var waitingWhileTheSlotIsHeld = !waiting.IsCompleted;
        first.Dispose();

        Assert.True(hopWaitedForTheSpacing);
        Assert.True(waitingWhileTheSlotIsHeld);
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task AHopGivesItsGlobalSlotBackWhileItsHostsSpacingPasses()
    {
        var throttle = new FetchThrottle(new FetchingSettings(new FetchOptions { MaxConcurrency = 1, MinHostSpacing = TimeSpan.FromSeconds(2) }), _clock);

        var first = await throttle.EnterAsync("a.example", CancellationToken.None);
        var hop = first.NextRequestAsync(CancellationToken.None);
        var other = await throttle.EnterAsync("b.example", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(50);
        var hopWaitsForTheGlobalSlot = !hop.IsCompleted;
        other.Dispose();
        await hop.WaitAsync(TimeSpan.FromSeconds(5));
        first.Dispose();

        Assert.True(hopWaitsForTheGlobalSlot);
        (await throttle.EnterAsync("b.example", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public void AHostThatTimedOutGetsAThirdOfTheDeadlineForAnHour()
    {
        var throttle = new FetchThrottle(new FetchingSettings(new FetchOptions { Timeout = TimeSpan.FromSeconds(30) }), _clock);

        throttle.RecordTimeout("slow.example");

        Assert.Equal((TimeSpan.FromSeconds(10), true), throttle.DeadlineFor("slow.example"));
        Assert.Equal((TimeSpan.FromSeconds(30), false), throttle.DeadlineFor("news.example"));
        _clock.Advance(FetchThrottle.SlowHostMemory - TimeSpan.FromSeconds(1));
        Assert.True(throttle.DeadlineFor("SLOW.example").Shortened);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((TimeSpan.FromSeconds(30), false), throttle.DeadlineFor("slow.example"));
    }
}
