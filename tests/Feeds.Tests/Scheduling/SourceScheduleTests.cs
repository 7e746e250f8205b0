using Feeds.Core.Sources;
using Feeds.Service.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Feeds.Tests.Scheduling;

/// <summary>
/// The Quartz side of a source's schedule, on a real in-memory scheduler that is never started, with the service's
/// clock and Quartz's in the test's hands: every trigger time is asserted to the millisecond.
/// </summary>
public sealed class SourceScheduleTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly Source Wire = new("wire", "Wire", SourceLocation.ForUrl(new Uri("https://news.example/wire.rss")), ["world"], TimeSpan.FromMinutes(1));
    private readonly FakeTimeProvider _clock = new(Now);
    private ISchedulerFactory _schedulers = null!;
    private IScheduler _scheduler = null!;

    public async Task InitializeAsync()
    {
        _schedulers = QuartzSchedulerBuilder.Create(quartz => quartz.UseTimeProvider(_clock))
            .UseProperties(new System.Collections.Specialized.NameValueCollection { ["quartz.scheduler.instanceName"] = $"test-{Guid.NewGuid():N}" })
            .Build();
        _scheduler = await _schedulers.GetScheduler();
        await SourceSchedule.ScheduleAsync(_scheduler, Wire, Now, firstCheckAt: Now + TimeSpan.FromSeconds(10), CancellationToken.None);
    }

    private async Task<DateTimeOffset> StartOfAsync(string trigger) => (await _scheduler.GetTrigger(new TriggerKey(trigger, SourceSchedule.Group)))!.StartTimeUtc;

    [Fact]
    public async Task ASourceIsPolledNowThenCheckedAtItsCadenceFromItsOffset()
    {
        var check = Assert.IsAssignableFrom<ISimpleTrigger>(await _scheduler.GetTrigger(new TriggerKey("wire", SourceSchedule.Group)));

        Assert.Equal(Now, await StartOfAsync("wire-startup"));
        Assert.Equal(Now + TimeSpan.FromSeconds(10), check.StartTimeUtc);
        Assert.Equal(SourceSchedule.CheckEvery, check.RepeatInterval);
    }

    [Fact]
    public async Task TheChecksOfSourcesStartingTogetherAreSpreadEvenlyOverTheCadence()
    {
        Source SourceNamed(string id) => Wire with { Id = id };
        var config = new FeedsConfig("feeds.json", [new Section("world", "World", "")], [SourceNamed("a"), SourceNamed("b"), SourceNamed("c")], new PublishingSettings());
        var scheduler = new SourceScheduler(_schedulers, new FeedsConfigMonitor(config, _clock), new StartupPolls(), _clock, NullLogger<SourceScheduler>.Instance);

        await scheduler.StartAsync(CancellationToken.None);

        var quarter = SourceSchedule.CheckEvery / 4;
        Assert.Equal([Now + quarter, Now + quarter * 2, Now + quarter * 3], [await StartOfAsync("a"), await StartOfAsync("b"), await StartOfAsync("c")]);
        Assert.Equal([Now, Now, Now], [await StartOfAsync("a-startup"), await StartOfAsync("b-startup"), await StartOfAsync("c-startup")]);
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

    public async Task DisposeAsync() => await _scheduler.Shutdown();

    private ValueTask<ITrigger?> WakeTriggerAsync() => _scheduler.GetTrigger(new TriggerKey("wire-due", SourceSchedule.Group));

    [Fact]
    public async Task ASourceDueBeforeItsNextCheckIsWokenAtItsDueTimeNotACheckLater()
    {
        var nextCheck = (await _scheduler.GetTrigger(new TriggerKey("wire", SourceSchedule.Group)))!.NextFireTimeUtc!.Value;
        var dueAt = nextCheck - TimeSpan.FromSeconds(3);

        await SourceSchedule.WakeAtAsync(_scheduler, "wire", dueAt, CancellationToken.None);
        await SourceSchedule.WakeAtAsync(_scheduler, "wire", dueAt + TimeSpan.FromSeconds(1), CancellationToken.None);

        var wake = await WakeTriggerAsync();
        Assert.NotNull(wake);
        Assert.Equal(dueAt + TimeSpan.FromSeconds(1), wake.StartTimeUtc);
        Assert.Equal(SourceSchedule.JobOf("wire"), wake.JobKey);
    }

    [Fact]
    public async Task ASourceDueAfterItsNextCheckIsLeftToThatCheck()
    {
        var nextCheck = (await _scheduler.GetTrigger(new TriggerKey("wire", SourceSchedule.Group)))!.NextFireTimeUtc!.Value;

        await SourceSchedule.WakeAtAsync(_scheduler, "wire", nextCheck + TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Null(await WakeTriggerAsync());
    }

    [Fact]
    public void TheStartUpPollIsPaidOnceByWhicheverRunComesFirst()
    {
        var polls = new StartupPolls();
        polls.Owe("wire");
        polls.Owe("tech");
        polls.Forget("tech");

        Assert.True(polls.TryPay("wire"));
        Assert.False(polls.TryPay("wire"));
        Assert.False(polls.TryPay("tech"));
    }
}
