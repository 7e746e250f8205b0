using System.Net;
using Feeds.Core.Composition;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Service.Scheduling;
using Feeds.Tests.Support;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Feeds.Tests.Scheduling;

/// <summary>
/// The Quartz side of a source's schedule, on a real in-memory scheduler that is never started, with the service's
/// clock and Quartz's in the test's hands, and the real pipeline polling a loopback source into a SQLite file: every
/// trigger time is asserted to the millisecond against the due time the poll stored.
/// </summary>
public sealed class SourceScheduleTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly Section World = new("world", "World", "");
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly TempFolder _folder = new();
    // Half the spread after each poll: a one-minute schedule is due 3 s past its minute (a tenth of it, halved).
    private readonly ScriptedJitter _jitter = new(0.5);
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;
    private ISchedulerFactory _schedulers = null!;
    private IScheduler _scheduler = null!;
    private FeedsConfigMonitor _configs = null!;

    // Items without dates give no rhythm, so the configured schedule is the interval.
    private static readonly byte[] Undated = System.Text.Encoding.UTF8.GetBytes(
        "<rss version=\"2.0\"><channel><title>Wire</title><link>https://news.example/</link>"
        + "<item><title>One</title><link>https://news.example/1</link></item><item><title>Two</title><link>https://news.example/2</link></item></channel></rss>");

    private SourceRefresher Refresher => _services.GetRequiredService<SourceRefresher>();

    public async Task InitializeAsync()
    {
        _server = await LoopbackSourceServer.StartAsync();
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddFeedsCore(_folder.File("feeds.db"), TestFetching.Loopback)
            .AddSingleton<Jitter>(_jitter)
            .BuildServiceProvider();
        await _services.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
        _schedulers = QuartzSchedulerBuilder.Create(quartz => quartz.UseTimeProvider(_clock))
            .UseProperties(new System.Collections.Specialized.NameValueCollection { ["quartz.scheduler.instanceName"] = $"test-{Guid.NewGuid():N}" })
            .Build();
        _scheduler = await _schedulers.GetScheduler();
        await _scheduler.AddJob(JobBuilder.Create<RearmLostSourcesJob>().WithIdentity(RearmLostSourcesJob.Job).StoreDurably().Build(), AddJobOptions.Replacing);
        _configs = new FeedsConfigMonitor(ConfigOf(SourceAt("/wire.rss", "wire")), _clock);
    }

    public async Task DisposeAsync()
    {
        await _scheduler.Shutdown();
        await _services.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private Source SourceAt(string path, string id, TimeSpan? interval = null) =>
        new(id, id, SourceLocation.ForUrl(new Uri(_server.BaseUri, path.TrimStart('/'))), ["world"], interval ?? Minute);

    private static FeedsConfig ConfigOf(params Source[] sources) => new("feeds.json", [World], sources, new PublishingSettings());

    private RefreshSourceJob Job() => new(Refresher, _configs, _clock, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), NullLogger<RefreshSourceJob>.Instance);

    private SourceScheduler Scheduler() => new(_schedulers, _configs, Refresher, _clock, NullLogger<SourceScheduler>.Instance);

    private async Task<ITrigger> TriggerOfAsync(string sourceId) =>
        Assert.Single(await _scheduler.GetTriggersOfJob(SourceSchedule.JobOf(sourceId)));

    private static bool IsStartup(ITrigger trigger) => trigger.JobDataMap.TryGetValue(RefreshSourceJob.StartupKey, out var startup) && startup is true;

    private async Task<SourceState> StateAsync(string sourceId) =>
        (await _services.GetRequiredService<IPollStore>().GetSourceStateAsync(sourceId, CancellationToken.None))!;

    [Fact]
    public async Task AtStartUpEachSourceHasOneTriggerAStartUpPollNowAndNoPeriodicCheck()
    {
        _configs = new FeedsConfigMonitor(ConfigOf(SourceAt("/a", "a"), SourceAt("/b", "b"), SourceAt("/c", "c")), _clock);

        await Scheduler().StartAsync(CancellationToken.None);

        foreach (var id in new[] { "a", "b", "c" })
        {
            var trigger = await TriggerOfAsync(id);
            Assert.Equal(Now, trigger.StartTimeUtc);
            Assert.True(IsStartup(trigger));
            Assert.Null(trigger.GetFireTimeAfter(Now)); // fires once; the poll re-arms it
        }
        var net = Assert.IsAssignableFrom<ISimpleTrigger>(Assert.Single(await _scheduler.GetTriggersOfJob(RearmLostSourcesJob.Job)));
        Assert.Equal(Now + RearmLostSourcesJob.Every, net.StartTimeUtc);
        Assert.Equal(RearmLostSourcesJob.Every, net.RepeatInterval);
    }

    [Fact]
    public async Task AfterAPollTheSourcesTriggerIsAtTheDueTimeThePollStored()
    {
        _server.Serve("/wire.rss", Undated);
        await Scheduler().StartAsync(CancellationToken.None);

        await Job().PollAndRearmAsync(_scheduler, "wire", PollReason.Startup, CancellationToken.None);

        var trigger = await TriggerOfAsync("wire");
        Assert.Equal(Now + Minute + TimeSpan.FromSeconds(3), trigger.StartTimeUtc);
        Assert.Equal((await StateAsync("wire")).NextDueAt, trigger.StartTimeUtc);
        Assert.False(IsStartup(trigger));
        Assert.Equal(1, _server.RequestCount("/wire.rss"));
    }

    [Fact]
    public async Task AfterAFailureTheSourcesTriggerIsAtItsRetryNotBefore()
    {
        _server.ServeStatus("/wire.rss", (int)HttpStatusCode.ServiceUnavailable, retryAfter: "600");
        await Scheduler().StartAsync(CancellationToken.None);

        await Job().PollAndRearmAsync(_scheduler, "wire", PollReason.Startup, CancellationToken.None);

        var trigger = await TriggerOfAsync("wire");
        Assert.Equal(Now + TimeSpan.FromMinutes(10), trigger.StartTimeUtc);
        Assert.Equal((await StateAsync("wire")).RetryNotBefore, trigger.StartTimeUtc);
    }

    [Fact]
    public async Task ATriggerThatFiresBeforeTheDueTimePollsNothingAndMovesToTheDueTime()
    {
        // As after a manual `feeds refresh` of the source, which moved its due time past the armed trigger.
        _server.Serve("/wire.rss", Undated);
        await Scheduler().StartAsync(CancellationToken.None);
        await Job().PollAndRearmAsync(_scheduler, "wire", PollReason.Startup, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(20));

        await Job().PollAndRearmAsync(_scheduler, "wire", PollReason.Schedule, CancellationToken.None);

        Assert.Equal(1, _server.RequestCount("/wire.rss"));
        Assert.Equal(Now + Minute + TimeSpan.FromSeconds(3), (await TriggerOfAsync("wire")).StartTimeUtc);
    }

    [Fact]
    public async Task AConfigEditAddsRemovesAndRetimesTriggers()
    {
        var (kept, retimed, removed) = (SourceAt("/kept", "kept"), SourceAt("/retimed", "retimed", TimeSpan.FromMinutes(30)), SourceAt("/removed", "removed"));
        foreach (var source in new[] { kept, retimed, removed })
            _server.Serve(source.Location.Url!.AbsolutePath, Undated);
        _configs = new FeedsConfigMonitor(ConfigOf(kept, retimed, removed), _clock);
        var scheduler = Scheduler();
        await scheduler.StartAsync(CancellationToken.None);
        foreach (var id in new[] { "kept", "retimed", "removed" })
            await Job().PollAndRearmAsync(_scheduler, id, PollReason.Startup, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var keptAt = (await TriggerOfAsync("kept")).StartTimeUtc;
        Assert.Equal(Now + TimeSpan.FromMinutes(31.5), (await TriggerOfAsync("retimed")).StartTimeUtc);

        // Retimed from 30 minutes to 5: due 5 minutes after its last poll, not 30.
        await scheduler.ApplyAsync(ConfigChange.Between(_configs.Current, ConfigOf(kept, retimed with { Interval = TimeSpan.FromMinutes(5) }, SourceAt("/added", "added"))));

        Assert.Equal(keptAt, (await TriggerOfAsync("kept")).StartTimeUtc);
        Assert.Equal(Now + TimeSpan.FromMinutes(5), (await TriggerOfAsync("retimed")).StartTimeUtc);
        Assert.Empty(await _scheduler.GetTriggersOfJob(SourceSchedule.JobOf("removed")));
        Assert.Null(await _scheduler.GetJobDetail(SourceSchedule.JobOf("removed")));
        var added = await TriggerOfAsync("added");
        Assert.Equal(Now + TimeSpan.FromMinutes(2), added.StartTimeUtc);
        Assert.True(IsStartup(added));
    }

    [Fact]
    public async Task ANodeStartingOnAScheduleThatHoldsTheSourcesKeepsTheirDueTimesAddsNewSourcesAndDropsRemovedOnes()
    {
        // The first node of a cluster: its schedule is in the database the next node starts on (here the same scheduler).
        var (polled, dropped, added) = (SourceAt("/polled", "polled"), SourceAt("/dropped", "dropped"), SourceAt("/added", "added"));
        _server.Serve("/polled", Undated);
        _configs = new FeedsConfigMonitor(ConfigOf(polled, dropped), _clock);
        await Scheduler().StartAsync(CancellationToken.None);
        await Job().PollAndRearmAsync(_scheduler, "polled", PollReason.Startup, CancellationToken.None);
        var dueAt = (await TriggerOfAsync("polled")).StartTimeUtc;
        _clock.Advance(TimeSpan.FromSeconds(10));

        _configs = new FeedsConfigMonitor(ConfigOf(polled, added), _clock);
        await Scheduler().StartAsync(CancellationToken.None);

        // Not re-armed for now: that would poll it again, once per node started.
        var kept = await TriggerOfAsync("polled");
        Assert.Equal(dueAt, kept.StartTimeUtc);
        Assert.False(IsStartup(kept));
        Assert.Null(await _scheduler.GetJobDetail(SourceSchedule.JobOf("dropped")));
        var first = await TriggerOfAsync("added");
        Assert.Equal(Now + TimeSpan.FromSeconds(10), first.StartTimeUtc);
        Assert.True(IsStartup(first));
        Assert.True((await _scheduler.GetJobDetail(SourceSchedule.JobOf("added")))!.RequestsRecovery);
    }

    [Fact]
    public async Task AnEditAppliedByEveryNodeAddsOnePollOfANewSourceNotOnePerNode()
    {
        var (kept, added) = (SourceAt("/kept", "kept"), SourceAt("/added", "added"));
        _server.Serve("/added", Undated);
        _configs = new FeedsConfigMonitor(ConfigOf(kept), _clock);
        var (node1, node2) = (Scheduler(), Scheduler());
        await node1.StartAsync(CancellationToken.None);
        await node2.StartAsync(CancellationToken.None);
        var change = ConfigChange.Between(_configs.Current, ConfigOf(kept, added));

        await node1.ApplyAsync(change);
        _configs = new FeedsConfigMonitor(change.New, _clock);
        await Job().PollAndRearmAsync(_scheduler, "added", PollReason.Startup, CancellationToken.None);
        var dueAt = (await TriggerOfAsync("added")).StartTimeUtc;
        await node2.ApplyAsync(change);

        Assert.Equal(1, _server.RequestCount("/added"));
        Assert.Equal(dueAt, (await TriggerOfAsync("added")).StartTimeUtc);
        Assert.False(IsStartup(await TriggerOfAsync("added")));
    }

    [Fact]
    public async Task ASourceThatLostItsTriggerIsReArmedByTheSafetyNet()
    {
        _configs = new FeedsConfigMonitor(ConfigOf(SourceAt("/a", "a"), SourceAt("/b", "b")), _clock);
        await Scheduler().StartAsync(CancellationToken.None);
        var bAt = (await TriggerOfAsync("b")).StartTimeUtc;
        // As when its job died or Quartz refused the re-arm: no trigger left.
        await _scheduler.UnscheduleJob(SourceSchedule.TriggerOf("a"));
        _clock.Advance(RearmLostSourcesJob.Every);

        var rearmed = await new RearmLostSourcesJob(_configs, _clock, NullLogger<RearmLostSourcesJob>.Instance).RearmLostAsync(_scheduler, CancellationToken.None);

        Assert.Equal(["a"], rearmed);
        var trigger = await TriggerOfAsync("a");
        Assert.Equal(Now + RearmLostSourcesJob.Every, trigger.StartTimeUtc);
        Assert.False(IsStartup(trigger)); // polls only if due, else re-arms at its due time
        Assert.Equal(bAt, (await TriggerOfAsync("b")).StartTimeUtc);
    }

    [Fact]
    public async Task RetentionFirstRunsFiveMinutesAfterStartThenHourly()
    {
        await _scheduler.AddJob(JobBuilder.Create<RetentionJob>().WithIdentity(RetentionSchedule.Job).StoreDurably().Build(), AddJobOptions.Replacing);

        await new RetentionSchedule(_schedulers, _clock).StartAsync(CancellationToken.None);

        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(Assert.Single(await _scheduler.GetTriggersOfJob(RetentionSchedule.Job)));
        Assert.Equal(Now + TimeSpan.FromMinutes(5), trigger.StartTimeUtc);
        Assert.Equal(TimeSpan.FromHours(1), trigger.RepeatInterval);
    }
}
