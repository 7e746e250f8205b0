using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// One durable Quartz job per source with two triggers: a start-up poll, then a check at a fixed short
/// cadence. Quartz only keeps the cadence; whether a poll is due (adaptive interval, backoff, Retry-After,
/// a Gone source's day) is decided by <see cref="Core.Refreshing.SourceRefresher"/> from the source's
/// stored state, so the rules are testable with a fake clock and an interval change needs no rescheduling.
/// A check that finds the source due before the next check adds a one-off trigger at that moment, so a poll is
/// neither early nor up to a whole cadence late.
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
            // Jobs spend their time awaiting a busy host's slot or the network, not on a thread (Quartz runs them as
            // tasks; this is a cap on how many run, nothing is allocated for it). Room for every configured source to
            // wait on its host at once, and then some, so the sources of one busy host (30 of them, redirecting, on a
            // host that takes one request a second) never hold up the sources of other hosts.
            quartz.UseDefaultThreadPool(config.Sources.Count + Math.Max(10, config.Fetching.MaxConcurrency * 4));
        });
        services.AddSingleton<StartupPolls>();
        // Shutdown waits for running polls to finish.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        services.AddHostedService<SourceScheduler>();
        return services;
    }

    public static JobKey JobOf(string sourceId) => new(sourceId, Group);

    /// <summary>
    /// Makes sure <paramref name="sourceId"/> is checked again at <paramref name="dueAt"/>, when that comes before its
    /// next regular check: one one-off trigger per source, moved to the latest due time a check found.
    /// </summary>
    public static async Task WakeAtAsync(IScheduler scheduler, string sourceId, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var check = await scheduler.GetTrigger(new TriggerKey(sourceId, Group), cancellationToken);
        if (check?.NextFireTimeUtc is { } nextCheck && nextCheck <= dueAt)
            return;
        await scheduler.ScheduleJob(TriggerBuilder.Create()
            .ForJob(JobOf(sourceId))
            .WithIdentity(sourceId + "-due", Group)
            .StartAt(dueAt)
            .Build(), ScheduleJobOptions.Replacing, cancellationToken);
    }

    /// <summary>
    /// The job of a source and its triggers: a poll at <paramref name="now"/> (a new source, or the first after
    /// downtime), then checks from <paramref name="firstCheckAt"/>, which the caller spreads over the cadence so sources
    /// with the same schedule never fire as one burst.
    /// </summary>
    public static async Task ScheduleAsync(IScheduler scheduler, Source source, DateTimeOffset now, DateTimeOffset firstCheckAt, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create<RefreshSourceJob>()
            .WithIdentity(JobOf(source.Id))
            .StoreDurably()
            .UsingJobData(RefreshSourceJob.SourceIdKey, source.Id)
            .Build();
        ITrigger[] triggers =
        [
            // The caller owes this poll in StartupPolls; the fetch throttle spreads these over hosts and slots.
            TriggerBuilder.Create()
                .ForJob(job)
                .WithIdentity(source.Id + "-startup", Group)
                .StartAt(now)
                .Build(),
            TriggerBuilder.Create()
                .ForJob(job)
                .WithIdentity(source.Id, Group)
                .StartAt(firstCheckAt)
                // Missed checks are skipped, never replayed one per missed tick.
                .WithSimpleSchedule(s => s.WithInterval(CheckEvery).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build(),
        ];
        await scheduler.ScheduleJob(job, triggers, ScheduleJobOptions.Replacing, cancellationToken);
    }
}
