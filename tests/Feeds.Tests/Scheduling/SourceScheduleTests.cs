using Feeds.Core.Sources;
using Feeds.Service.Scheduling;
using Quartz;

namespace Feeds.Tests.Scheduling;

/// <summary>The Quartz side of a source's schedule, on a real in-memory scheduler that is never started.</summary>
public sealed class SourceScheduleTests : IAsyncLifetime
{
    private static readonly Source Wire = new("wire", "Wire", SourceLocation.ForUrl(new Uri("https://news.example/wire.rss")), ["world"], TimeSpan.FromMinutes(1));
    private IScheduler _scheduler = null!;

    public async Task InitializeAsync()
    {
        _scheduler = await QuartzSchedulerBuilder.Create()
            .UseProperties(new System.Collections.Specialized.NameValueCollection { ["quartz.scheduler.instanceName"] = $"test-{Guid.NewGuid():N}" })
            .BuildScheduler();
        await SourceSchedule.ScheduleAsync(_scheduler, Wire, checkOffset: TimeSpan.FromSeconds(10), pollAtOnce: false, CancellationToken.None);
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
