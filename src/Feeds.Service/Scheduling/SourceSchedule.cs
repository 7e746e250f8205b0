using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// One durable Quartz job per source with two triggers: a start-up poll, then a check at a fixed short
/// cadence. Quartz only keeps the cadence; whether a poll is due (adaptive interval, backoff, Retry-After,
/// a Gone source's day) is decided by <see cref="Core.Refreshing.SourceRefresher"/> from the source's
/// stored state, so the rules are testable with a fake clock and an interval change needs no rescheduling.
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
            // Quartz keeps its own (system) clock; the offsets are relative to it.
            var now = DateTimeOffset.UtcNow;
            for (var index = 0; index < config.Sources.Count; index++)
            {
                var source = config.Sources[index];
                var job = new JobKey(source.Id, Group);
                quartz.AddJob<RefreshSourceJob>(j => j.WithIdentity(job).StoreDurably().UsingJobData(RefreshSourceJob.SourceIdKey, source.Id));
                // After downtime, poll once at start-up; the throttle spreads these over hosts and slots.
                quartz.AddTrigger(trigger => trigger
                    .ForJob(job)
                    .WithIdentity(source.Id + "-startup", Group)
                    .UsingJobData(RefreshSourceJob.StartupKey, true)
                    .StartNow());
                // Checks are spread evenly over the cadence, so sources with the same schedule never fire as one burst.
                var offset = CheckEvery * (index + 1) / (config.Sources.Count + 1);
                quartz.AddTrigger(trigger => trigger
                    .ForJob(job)
                    .WithIdentity(source.Id, Group)
                    .StartAt(now + offset)
                    // Missed checks are skipped, never replayed one per missed tick.
                    .WithSimpleSchedule(s => s.WithInterval(CheckEvery).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }
        });
        // Shutdown waits for running polls to finish.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }
}
