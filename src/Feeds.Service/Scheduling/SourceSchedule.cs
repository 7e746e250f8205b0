using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// One durable Quartz job per source with two triggers: a start-up poll, then a check at a fixed short
/// cadence. Quartz only keeps the cadence; whether a poll is due (adaptive interval, backoff, Retry-After,
/// a Gone source's day) is decided by <see cref="Core.Refreshing.SourceRefresher"/> from the source's
/// stored state, so the rules are testable with a fake clock and an interval change needs no rescheduling.
/// Jobs follow the config: <see cref="SourceScheduler"/> adds and removes them as sources come and go.
/// </summary>
internal static class SourceSchedule
{
    public const string Group = "sources";

    /// <summary>How often each source asks whether it is due; a due poll is at most this late.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddSourceSchedule(this IServiceCollection services, FeedsConfig config)
    {
        services.AddQuartz(quartz =>
        {
            // Jobs spend their time awaiting a busy host's slot or the network, not on a thread. Room for more
            // jobs than fetch slots keeps sources of one slow host from holding up the sources of others.
            quartz.UseDefaultThreadPool(Math.Max(10, config.Fetching.MaxConcurrency * 4));
        });
        // Shutdown waits for running polls to finish.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        services.AddHostedService<SourceScheduler>();
        return services;
    }

    public static JobKey JobOf(string sourceId) => new(sourceId, Group);

    /// <summary>
    /// The job of a source and its triggers. <paramref name="checkOffset"/> spreads the checks of many sources
    /// over the cadence, so sources with the same schedule never fire as one burst.
    /// </summary>
    public static async Task ScheduleAsync(IScheduler scheduler, Source source, TimeSpan checkOffset, bool pollAtOnce, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create<RefreshSourceJob>()
            .WithIdentity(JobOf(source.Id))
            .StoreDurably()
            .UsingJobData(RefreshSourceJob.SourceIdKey, source.Id)
            .Build();
        var triggers = new List<ITrigger>
        {
            TriggerBuilder.Create()
                .ForJob(job)
                .WithIdentity(source.Id, Group)
                .StartAt(DateTimeOffset.UtcNow + checkOffset)
                // Missed checks are skipped, never replayed one per missed tick.
                .WithSimpleSchedule(s => s.WithInterval(CheckEvery).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build(),
        };
        if (pollAtOnce)
        {
            // After downtime, or for a new source, poll once now; the fetch throttle spreads these over hosts and slots.
            triggers.Add(TriggerBuilder.Create()
                .ForJob(job)
                .WithIdentity(source.Id + "-startup", Group)
                .UsingJobData(RefreshSourceJob.StartupKey, true)
                .StartNow()
                .Build());
        }
        await scheduler.ScheduleJob(job, triggers, ScheduleJobOptions.Replacing, cancellationToken);
    }
}
