using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>One durable Quartz job and one trigger per source: polled at start-up, then every interval.</summary>
internal static class SourceSchedule
{
    public const string Group = "sources";

    public static IServiceCollection AddSourceSchedule(this IServiceCollection services, FeedsConfig config)
    {
        services.AddQuartz(quartz =>
        {
            foreach (var source in config.Sources)
            {
                var job = new JobKey(source.Id, Group);
                quartz.AddJob<RefreshSourceJob>(j => j.WithIdentity(job).StoreDurably().UsingJobData(RefreshSourceJob.SourceIdKey, source.Id));
                quartz.AddTrigger(trigger => trigger
                    .ForJob(job)
                    .WithIdentity(source.Id, Group)
                    .StartNow()
                    // After downtime, poll once and carry on; never once per missed interval.
                    .WithSimpleSchedule(s => s.WithInterval(source.Interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }
        });
        // Shutdown waits for running polls to finish.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }
}
