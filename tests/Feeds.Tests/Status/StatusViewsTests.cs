using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Status;

/// <summary>
/// When the status is built again, on a real SQLite store and a clock the test moves: once per change, at most once per
/// <see cref="StatusViews.MinRebuildInterval"/> however fast polls commit, each build with a newer version (what the
/// rendered status pages are kept by).
/// </summary>
public sealed class StatusViewsTests : IAsyncLifetime
{
    private static readonly FeedsConfig Config = new("feeds.json", [new Section("world", "World", "")],
        [new Source("wire", "Wire", SourceLocation.ForUrl(new Uri("https://wire.example.com/rss")), ["world"], TimeSpan.FromMinutes(30))],
        new PublishingSettings());

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private TempStore _temp = null!;

    /// <summary>Shorter than <see cref="StatusViews.MaxAge"/>, so a snapshot let go is told from one that merely grew old.</summary>
    private static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(20);
    private StatusViews _views = null!;

    public async Task InitializeAsync()
    {
        _temp = await TempStore.CreateAsync(_clock);
        var faults = new RenderFaults(_clock, NullLogger<RenderFaults>.Instance);
        var reporter = new StatusReporter(_temp.Status, new SectionPages(_temp.Publishing), new DayActivity(_temp.Activity, _clock), faults, _clock);
        _views = new StatusViews(reporter, _temp.Status, new FeedsConfigMonitor(Config, _clock), new StatusLifetime(IdleRelease), _clock,
            NullLogger<StatusViews>.Instance);
    }

    public Task DisposeAsync()
    {
        _views.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private Task SavePollAsync(string hash) =>
        _temp.Polls.SavePollAsync(new SourceState { SourceId = "wire", Url = "https://wire.example.com/rss", LastAttemptAt = _clock.GetUtcNow(), LastOutcome = PollOutcome.Updated },
            [new NormalizedItem { Key = "a", ContentHash = hash, Title = "Harbour strike enters its third week", Link = "https://example.com/a" }], CancellationToken.None);

    /// <summary>The snapshot once its version is past <paramref name="version"/>, asked every few milliseconds for 5 s (a build runs behind the request).</summary>
    private async Task<StatusSnapshot> NewerThanAsync(long version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var snapshot = await _views.GetAsync(CancellationToken.None);
        while (snapshot.Version <= version && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            snapshot = await _views.GetAsync(CancellationToken.None);
        }
        return snapshot;
    }

    [Fact]
    public async Task AnUnchangedStoreKeepsTheSnapshotAndItsVersion()
    {
        var first = await _views.GetAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Same(first, await _views.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task APollWithinTheRebuildIntervalWaitsForItThenShowsInANewerVersion()
    {
        var first = await _views.GetAsync(CancellationToken.None);

        await SavePollAsync("1");
        _clock.Advance(StatusViews.MinRebuildInterval / 2);
        var early = await _views.GetAsync(CancellationToken.None);
        await Task.Delay(100); // a build started now would have ended
        var stillEarly = await _views.GetAsync(CancellationToken.None);
        _clock.Advance(StatusViews.MinRebuildInterval / 2);
        var rebuilt = await NewerThanAsync(first.Version);

        Assert.Same(first, early);
        Assert.Same(first, stillEarly);
        Assert.True(rebuilt.Version > first.Version, "the poll never showed");
        Assert.Equal("Updated", Assert.Single(rebuilt.Report.Sources).LastOutcome);
        Assert.Null(Assert.Single(first.Report.Sources).LastOutcome);
    }

    [Fact]
    public async Task ConstantPollingBuildsOncePerInterval()
    {
        var first = await _views.GetAsync(CancellationToken.None);
        var versions = new HashSet<long> { first.Version };

        // Ten polls a second for three seconds, the status asked after each.
        for (var poll = 0; poll < 30; poll++)
        {
            await SavePollAsync(poll.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            versions.Add((await _views.GetAsync(CancellationToken.None)).Version);
            await Task.Delay(20); // lets a build started behind the request end, as on a real clock
        }

        // The first, and one build per interval at most (at 1, 2 and 3 s); at least two of those on a slow machine.
        var intervals = (int)(TimeSpan.FromSeconds(3) / StatusViews.MinRebuildInterval);
        Assert.InRange(versions.Count, intervals, 1 + intervals);
    }

    [Fact]
    public async Task ASnapshotNobodyAskedForIsLetGoAndTheNextRequestBuildsAnother()
    {
        var released = 0;
        _views.Released += () => released++;
        var first = await _views.GetAsync(CancellationToken.None);

        // Asked within the idle time, it stays.
        _clock.Advance(IdleRelease - TimeSpan.FromSeconds(1));
        Assert.Same(first, await _views.GetAsync(CancellationToken.None));
        _clock.Advance(IdleRelease - TimeSpan.FromSeconds(1));
        Assert.Equal(0, released);

        // Not asked for the idle time, it goes (at the timer's next tick); nothing changed, yet the next request builds.
        _clock.Advance(IdleRelease);
        Assert.Equal(1, released);
        var next = await _views.GetAsync(CancellationToken.None);
        Assert.NotSame(first, next);
        Assert.True(next.Version > first.Version);
        Assert.Same(next, await _views.GetAsync(CancellationToken.None));
    }
}
