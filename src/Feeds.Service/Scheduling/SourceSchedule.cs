using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Scheduling;

/// <summary>
/// One durable Quartz job per source with one one-shot trigger, armed at the source's next poll: at start-up (and
/// when the source is added) for now, then, after each poll, at the due time <see cref="Core.Refreshing.SourceRefresher"/>
/// computed from the source's stored state (adaptive interval, backoff, Retry-After, a Gone source's day). Quartz
/// does nothing for a source between its polls, so a service with nothing due is idle whatever the size of its
/// catalogue: 20,000 sources that each asked every 30 s whether they were due kept almost half a core busy.
/// A trigger lost to a fault (a job that threw, a re-arm that failed) is found by <see cref="RearmLostSourcesJob"/>.
/// Jobs follow the config: <see cref="SourceScheduler"/> adds and removes them as sources come and go.
/// </summary>
internal static class SourceSchedule
{
    public const string Group = "sources";

    public static IServiceCollection AddSourceSchedule(this IServiceCollection services, FeedsConfig config)
    {
        services.AddQuartz(quartz =>
        {
            // Jobs spend their time awaiting a busy host's slot or the network, not on a thread (Quartz runs them as
            // tasks; this is a cap on how many run, nothing is allocated for it). Room for every configured source to
            // wait on its host at once, and then some, so the sources of one busy host (30 of them, redirecting, on a
            // host that takes one request a second) never hold up the sources of other hosts.
            quartz.UseDefaultThreadPool(config.Sources.Count + Math.Max(10, config.Fetching.MaxConcurrency * 4));
            quartz.AddJob<RearmLostSourcesJob>(job => job.WithIdentity(RearmLostSourcesJob.Job).StoreDurably());
        });
        // Shutdown waits for running polls to finish.
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        services.AddHostedService<SourceScheduler>();
        return services;
    }

    public static JobKey JobOf(string sourceId) => new(sourceId, Group);

    public static TriggerKey TriggerOf(string sourceId) => new(sourceId, Group);

    /// <summary>
    /// The job of a source and its trigger for now. A <paramref name="startup"/> poll does not wait for the stored
    /// schedule (a new source, or the first poll after downtime, however many intervals were missed); otherwise the job
    /// polls only if the source is due and re-arms itself at its due time if not. The fetch throttle spreads the polls
    /// of sources armed together over their hosts and the fetch slots.
    /// </summary>
    public static async Task ScheduleAsync(IScheduler scheduler, Source source, DateTimeOffset now, bool startup, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create<RefreshSourceJob>()
            .WithIdentity(JobOf(source.Id))
            .StoreDurably()
            .UsingJobData(RefreshSourceJob.SourceIdKey, source.Id)
            .Build();
        await scheduler.ScheduleJob(job, [PollAt(source.Id, now, startup)], ScheduleJobOptions.Replacing, cancellationToken);
    }

    /// <summary>
    /// Moves the source's one trigger to <paramref name="at"/>. Called from the source's own running job, whose trigger
    /// Quartz then keeps instead of deleting it as spent; <see cref="DisallowConcurrentExecutionAttribute"/> holds
    /// the new trigger until that run has finished.
    /// </summary>
    public static async Task RearmAsync(IScheduler scheduler, string sourceId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await scheduler.ScheduleJob(PollAt(sourceId, at, startup: false), ScheduleJobOptions.Replacing, cancellationToken);

    /// <summary>
    /// A single poll at <paramref name="at"/>. When it cannot fire on time (every pool slot taken at start-up) Quartz's
    /// default for a one-shot trigger fires it as soon as it can: a poll is late, never skipped.
    /// </summary>
    private static ITrigger PollAt(string sourceId, DateTimeOffset at, bool startup) => TriggerBuilder.Create()
        .ForJob(JobOf(sourceId))
        .WithIdentity(TriggerOf(sourceId))
        .UsingJobData(RefreshSourceJob.StartupKey, startup)
        .StartAt(at)
        .Build();
}
