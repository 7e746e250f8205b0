using System.Globalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Quartz;

namespace Feeds.Service.Publishing;

/// <summary>
/// Every <see cref="Every"/>, pings the configured WebSub hub for each section whose change version moved since its last
/// ping. Reading the versions keeps ingest free of publishing concerns and batches a burst of polls into one ping.
/// </summary>
/// <remarks>
/// The versions last pinged are the job's own data, which Quartz keeps after each run: on PostgreSQL in the shared
/// schedule, so one trigger fires on one node of the cluster at a time and each change is pinged once, whichever node
/// polled it and whichever runs the next check; a node that joins pings nothing already pinged.
/// </remarks>
[DisallowConcurrentExecution]
[PersistJobDataAfterExecution]
internal sealed partial class WebSubPingJob(FeedsConfigMonitor configs, ContentVersions versions, WebSubHub hub, ILogger<WebSubPingJob> logger) : IJob
{
    public static readonly JobKey Job = new("websub-ping", "maintenance");

    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // The config in force now: the hub and the sections may be edited while we run.
        var config = configs.Current;
        if (config.Publishing.Hub is not { } hubUrl)
            return;
        var pinged = context.JobDetail.JobDataMap;
        foreach (var section in config.Sections)
        {
            // Kept as text: the job's data is stored as JSON, which would not keep a number's type.
            var version = versions.Section(config, section).ToString(CultureInfo.InvariantCulture);
            if (pinged.TryGetString(section.Id, out var last) && last == version)
                continue;
            pinged[section.Id] = version;
            var refused = await hub.PublishAsync(config.Publishing, section, cancellationToken);
            if (refused.Count == 0)
                LogPinged(section.Id, hubUrl);
            else
                LogRefused(section.Id, hubUrl, string.Join("; ", refused));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pinged WebSub hub {Hub} for section {Section}")]
    private partial void LogPinged(string section, Uri hub);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSub hub {Hub} did not take the ping for section {Section}: {Reason}")]
    private partial void LogRefused(string section, Uri hub, string reason);
}

/// <summary>
/// Adds <see cref="WebSubPingJob"/> and its trigger when the service starts, unless the schedule holds them already (a
/// cluster's does once its first node started): replacing the job would forget the versions already pinged.
/// </summary>
internal sealed class WebSubPingSchedule(ISchedulerFactory schedulers, TimeProvider clock) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<WebSubPingJob>().WithIdentity(WebSubPingJob.Job).StoreDurably().Build();
        var trigger = TriggerBuilder.Create()
            .ForJob(WebSubPingJob.Job)
            .WithIdentity("websub-ping", "maintenance")
            .StartAt(clock.GetUtcNow() + WebSubPingJob.Every)
            // A check missed while the service was busy is not worth replaying; the next one sees the same versions.
            .WithSimpleSchedule(s => s.WithInterval(WebSubPingJob.Every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        try
        {
            await scheduler.ScheduleJob(job, [trigger], default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another node (or this one, before a restart) added them.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
